/**
 * Scoring with a model file: a scorecard, an AHP expert model, or a model set that routes each enterprise
 * to one of them by segment. Batch (columns) and online (one enterprise's features) use the same code.
 */
import { PuhuiUserError } from '../domain/errors.ts';
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve as resolvePath } from 'node:path';
import { ahpScore, buildAhpModel, type AhpModel } from './ahp.ts';
import { checkModelFile } from './model-file.ts';
import { routeModel, type ModelSet } from './routing.ts';
import { gradeOf, probabilityOfScore, SCORECARD_SCHEMA, scoreRows, type ColumnValues, type ScorecardFile } from './scorecard.ts';

export type AnyModel = ScorecardFile | AhpModel | ModelSet;

/** The columns a model set routes on (feature ids of the catalogue). */
const ROUTING_COLUMNS: [string, 'numeric' | 'categorical'][] = [['taxpayer_general', 'numeric'], ['industry_section', 'categorical'], ['region_province', 'categorical'], ['vat_sales_12m', 'numeric']];

const MODEL_SCHEMAS = [SCORECARD_SCHEMA, 'puhui-ahp/1', 'puhui-modelset/1'];

export class ModelFileError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'model_file');
  }
}

/** Reads and checks a model file (zod, model-file.ts): a file that would score nonsense is refused here. */
export function readModel(path: string): AnyModel {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a folder' : code === 'EACCES' ? 'not readable' : 'not JSON';
    throw new ModelFileError(`${path} is not a ${SCORECARD_SCHEMA} model file (${reason})`);
  }
  const schema = (json as { schema?: unknown } | null)?.schema;
  if (typeof schema !== 'string' || !MODEL_SCHEMAS.includes(schema)) {
    throw new ModelFileError(`${path} is not a ${SCORECARD_SCHEMA} model file (schema ${String(schema)}; also accepted: ${MODEL_SCHEMAS.slice(1).join(', ')})`);
  }
  const checked = checkModelFile(json);
  if (!checked.ok) throw new ModelFileError(`${path} is a damaged ${schema} model file: ${checked.problems.join('; ')}`);
  const model = checked.model;
  if (model.schema === 'puhui-ahp/1') return buildAhpModel(model.root, false); // re-checks consistency
  return model as AnyModel;
}

/** An AHP expert score is 0..100 and has no probability or grade. */
export interface ModelScore { model: string; segment: string; score: number; probability: number | null; grade: string | null }

export class Scorer {
  private readonly loaded = new Map<string, AnyModel>();

  constructor(readonly modelFile: string) {
    this.modelAt(modelFile);
  }

  private modelAt(path: string): AnyModel {
    let model = this.loaded.get(path);
    if (!model) this.loaded.set(path, (model = readModel(path)));
    return model;
  }

  /**
   * The columns the model reads and how: a scorecard's numeric and categorical variables, an AHP model's
   * indicators (numbers), and for a model set those of every model it routes to. `optional` columns (the
   * routing of a model set) are used when present.
   */
  requiredColumns(): { name: string; type: 'numeric' | 'categorical'; optional: boolean }[] {
    const found = new Map<string, { name: string; type: 'numeric' | 'categorical'; optional: boolean }>();
    const add = (name: string, type: 'numeric' | 'categorical', optional: boolean) => {
      const seen = found.get(name);
      if (!seen || (seen.optional && !optional)) found.set(name, { name, type, optional });
    };
    const visit = (path: string) => {
      const model = this.modelAt(path);
      if (model.schema === 'puhui-modelset/1') {
        for (const [name, type] of ROUTING_COLUMNS) add(name, type, true);
        for (const inner of [...model.segments.map((s) => s.model), model.defaultModel]) {
          const innerPath = resolvePath(dirname(path), inner);
          if (this.modelAt(innerPath).schema === 'puhui-modelset/1') throw new ModelFileError(`${innerPath}: a model set cannot route to another model set`);
          visit(innerPath);
        }
      } else if (model.schema === SCORECARD_SCHEMA) {
        for (const f of model.features) add(f.name, f.binning.kind, false);
      } else {
        for (const leaf of model.leaves) add(leaf.indicator.feature, 'numeric', false);
      }
    };
    visit(this.modelFile);
    return [...found.values()];
  }

  /** Scores rows 0..rows-1 of a feature table given as columns (feature id → values). */
  scoreTable(columns: Record<string, ColumnValues>, rows: number): ModelScore[] {
    const out: ModelScore[] = new Array(rows);
    const all = Array.from({ length: rows }, (_, k) => k);
    this.scoreWith(this.modelFile, columns, all, out, this.modelAt(this.modelFile).schema === 'puhui-modelset/1' ? 'default' : 'all');
    return out;
  }

  /** One enterprise's features, as computeFeatures returns them. */
  scoreOne(features: Record<string, number | string | null>): ModelScore {
    const columns: Record<string, ColumnValues> = {};
    for (const key in features) columns[key] = [features[key] ?? null];
    return this.scoreTable(columns, 1)[0]!;
  }

  private scoreWith(path: string, columns: Record<string, ColumnValues>, rows: number[], out: ModelScore[], segment: string): void {
    const model = this.modelAt(path);
    const name = basename(path);
    if (model.schema === 'puhui-modelset/1') {
      const bySegment = new Map<string, { model: string; rows: number[] }>();
      for (const k of rows) {
        const value = (feature: string) => columns[feature]?.[k];
        const sales = value('vat_sales_12m');
        const routed = routeModel(model, {
          taxpayerType: value('taxpayer_general') === 1 ? 'general' : 'small_scale', industrySection: String(value('industry_section') ?? ''),
          regionCode: String(value('region_province') ?? ''), salesFen12m: typeof sales === 'number' && Number.isFinite(sales) ? sales : null,
        });
        const entry = bySegment.get(routed.segment) ?? { model: routed.model, rows: [] };
        entry.rows.push(k);
        bySegment.set(routed.segment, entry);
      }
      for (const [segmentName, entry] of bySegment) {
        const inner = resolvePath(dirname(path), entry.model);
        if (this.modelAt(inner).schema === 'puhui-modelset/1') throw new ModelFileError(`${inner}: a model set cannot route to another model set`);
        this.scoreWith(inner, columns, entry.rows, out, segmentName);
      }
      return;
    }
    const pick: Record<string, ColumnValues> = {};
    const wanted = model.schema === SCORECARD_SCHEMA ? model.features.map((f) => f.name) : model.leaves.map((l) => l.indicator.feature);
    for (const feature of wanted) {
      const values = columns[feature];
      if (!values) throw new ModelFileError(`${path} needs the feature ${feature}, which the data does not have`);
      pick[feature] = rows.length === values.length ? values : rows.map((k) => values[k]!);
    }
    if (model.schema === SCORECARD_SCHEMA) {
      const scores = scoreRows(model, pick);
      rows.forEach((k, j) => { out[k] = { model: name, segment, score: scores[j]!, probability: probabilityOfScore(model, scores[j]!), grade: gradeOf(model, scores[j]!) }; });
    } else {
      rows.forEach((k, j) => {
        const values = Object.fromEntries(wanted.map((feature) => { const v = pick[feature]![j]; return [feature, typeof v === 'number' ? v : null]; }));
        out[k] = { model: name, segment, score: ahpScore(model, values), probability: null, grade: null };
      });
    }
  }
}
