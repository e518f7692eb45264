/**
 * One simulation from the command line or the bench: the economy prepared (or found) in the work folder, the
 * platform run over it, the figures written as JSON (deterministic for a seed) and as an HTML report. The time
 * each simulated month took is returned beside the figures, never inside them.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareEconomy } from './simulate-economy.ts';
import { simulatePlatform, type SimulationFigures } from './simulate.ts';
import { simulationReportHtml } from './simulate-report.ts';
import { BANKS_MAX } from './simulate-actors.ts';
import { SimulationError } from './simulate-economy.ts';

export const SIMULATION_JSON_FILE = 'simulation.json';
export const SIMULATION_HTML_FILE = 'simulation.html';
export const SIMULATION_ENTERPRISES_MAX = 200_000;

export interface SimulationRequest {
  months: number;
  seed: number;
  enterprises: number;
  banks: number;
  outDir: string;
  /** Where the economy is generated and kept between runs (default: <outDir>/work). */
  workDir?: string;
  onProgress?: (step: string) => void;
}

export interface SimulationRun {
  figures: SimulationFigures;
  files: { json: string; html: string };
  setupMs: number;
  monthMs: number[];
}

export async function runSimulation(request: SimulationRequest): Promise<SimulationRun> {
  if (!Number.isInteger(request.enterprises) || request.enterprises < 50 || request.enterprises > SIMULATION_ENTERPRISES_MAX) {
    throw new SimulationError(`--enterprises must be 50..${SIMULATION_ENTERPRISES_MAX}`);
  }
  if (!Number.isInteger(request.banks) || request.banks < 1 || request.banks > BANKS_MAX) throw new SimulationError(`--banks must be 1..${BANKS_MAX}`);
  const outDir = resolve(request.outDir);
  mkdirSync(outDir, { recursive: true });
  const started = performance.now();
  const economy = await prepareEconomy({ enterprises: request.enterprises, seed: request.seed, workDir: request.workDir ?? join(outDir, 'work'), onProgress: request.onProgress });
  const setupMs = performance.now() - started;
  try {
    const { figures, monthMs } = await simulatePlatform(economy, {
      months: request.months, seed: request.seed, banks: request.banks,
      onMonth: (month, index, months) => request.onProgress?.(`month ${index + 1}/${months} (${month})`),
    });
    const files = { json: join(outDir, SIMULATION_JSON_FILE), html: join(outDir, SIMULATION_HTML_FILE) };
    writeFileSync(files.json, JSON.stringify(figures, null, 2) + '\n');
    writeFileSync(files.html, simulationReportHtml(figures));
    return { figures, files, setupMs, monthMs };
  } finally {
    economy.snapshot.close();
  }
}
