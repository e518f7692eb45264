/**
 * AHP expert models (层次分析法): pairwise-comparison matrices per level of a hierarchy give weights by the
 * principal eigenvector; each matrix's consistency ratio CR = ((λmax − n) / (n − 1)) / RI(n) uses Saaty's random
 * index table, and a matrix with CR ≥ 0.1 is refused unless forced. Leaf weights multiply down the hierarchy;
 * the expert score is Σ weight × indicator normalised to 0..1, times 100, usable wherever a model score is.
 */
import { PuhuiUserError } from '../domain/errors.ts';

/** Saaty's random consistency index for n = 1 … 10. */
export const RANDOM_INDEX = [0, 0, 0.58, 0.9, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49] as const;
export const CR_MAX = 0.1;
const POWER_ITERATIONS_MAX = 1000;

export interface Priority { weights: number[]; lambdaMax: number; consistencyIndex: number; consistencyRatio: number }

export class AhpError extends PuhuiUserError {
  constructor(message: string) {
    super(message, 'ahp_model');
  }
}

/** Principal eigenvector (normalised to sum 1) and consistency of a positive reciprocal matrix. */
export function priorities(matrix: readonly (readonly number[])[]): Priority {
  const n = matrix.length;
  if (n === 0 || n > RANDOM_INDEX.length) throw new AhpError(`a comparison matrix must have 1 to ${RANDOM_INDEX.length} rows, got ${n}`);
  for (let i = 0; i < n; i++) {
    if (matrix[i]!.length !== n) throw new AhpError(`row ${i + 1} has ${matrix[i]!.length} entries, expected ${n}`);
    for (let j = 0; j < n; j++) {
      const a = matrix[i]![j]!;
      if (!(a > 0)) throw new AhpError(`entry (${i + 1}, ${j + 1}) must be positive`);
      if (Math.abs(a * matrix[j]![i]! - 1) > 1e-9) throw new AhpError(`entries (${i + 1}, ${j + 1}) and (${j + 1}, ${i + 1}) must be reciprocal`);
    }
  }
  let w = new Array(n).fill(1 / n);
  for (let iteration = 0; iteration < POWER_ITERATIONS_MAX; iteration++) {
    const next = matrix.map((row) => row.reduce((s, a, j) => s + a * w[j]!, 0));
    const total = next.reduce((a, b) => a + b, 0);
    const normalised = next.map((v) => v / total);
    const change = Math.max(...normalised.map((v, k) => Math.abs(v - w[k]!)));
    w = normalised;
    if (change < 1e-15) break;
  }
  const aw = matrix.map((row) => row.reduce((s, a, j) => s + a * w[j]!, 0));
  const lambdaMax = aw.reduce((s, v, k) => s + v / w[k]!, 0) / n;
  const consistencyIndex = n > 1 ? (lambdaMax - n) / (n - 1) : 0;
  const ri = RANDOM_INDEX[n - 1]!;
  return { weights: w, lambdaMax, consistencyIndex, consistencyRatio: ri > 0 ? consistencyIndex / ri : 0 };
}

export interface AhpIndicator { feature: string; direction: 'higher_better' | 'lower_better'; min: number; max: number }

export interface AhpNode {
  name: string;
  /** Pairwise comparisons of the children (a[i][j] = how much more child i matters than child j). */
  comparisons?: number[][];
  children?: AhpNode[];
  indicator?: AhpIndicator;
}

export interface AhpModel { schema: 'puhui-ahp/1'; root: AhpNode; leaves: { path: string; weight: number; indicator: AhpIndicator }[]; ratios: { node: string; consistencyRatio: number }[] }

/** Checks every level and composes leaf weights; refuses CR ≥ 0.1 unless forced. */
export function buildAhpModel(root: AhpNode, force = false): AhpModel {
  const leaves: AhpModel['leaves'] = [];
  const ratios: AhpModel['ratios'] = [];
  const walk = (node: AhpNode, weight: number, path: string) => {
    if (node.indicator) { leaves.push({ path, weight, indicator: node.indicator }); return; }
    const children = node.children ?? [];
    if (children.length === 0) throw new AhpError(`${path} has neither children nor an indicator`);
    const matrix = node.comparisons ?? (children.length === 1 ? [[1]] : undefined);
    if (!matrix || matrix.length !== children.length) throw new AhpError(`${path} needs a ${children.length}×${children.length} comparison matrix`);
    const p = priorities(matrix);
    ratios.push({ node: path, consistencyRatio: p.consistencyRatio });
    if (p.consistencyRatio >= CR_MAX && !force) throw new AhpError(`${path}: consistency ratio ${p.consistencyRatio.toFixed(3)} ≥ ${CR_MAX}; revise the comparisons (or force)`);
    children.forEach((child, k) => walk(child, weight * p.weights[k]!, `${path}/${child.name}`));
  };
  walk(root, 1, root.name);
  return { schema: 'puhui-ahp/1', root, leaves, ratios };
}

/** An indicator's value normalised to 0..1 (1 the best end); a missing or non-finite value scores 0, the worst end. */
export function ahpIndicatorShare(indicator: AhpIndicator, raw: number | null | undefined): number {
  if (raw === null || raw === undefined || !Number.isFinite(raw) || !(indicator.max > indicator.min)) return 0;
  const share = Math.min(1, Math.max(0, (raw - indicator.min) / (indicator.max - indicator.min)));
  return indicator.direction === 'higher_better' ? share : 1 - share;
}

/** Expert score 0..100 from indicator values (missing indicators score as the worst end). */
export function ahpScore(model: AhpModel, values: Record<string, number | null | undefined>): number {
  let score = 0;
  for (const { weight, indicator } of model.leaves) score += weight * ahpIndicatorShare(indicator, values[indicator.feature]);
  return 100 * score;
}
