/**
 * A strategy carries its own regression tests (`tests: [{name, input, expect}]`, as GoRules' test graphs
 * do); `puhui strategy check` and CI run them. `expect` lists the result fields that must match exactly;
 * `reasons` is compared as the list of codes in order.
 */
import type { StrategyEngine, StrategyResult } from './engine.ts';
import type { StrategyInput } from './inputs.ts';
import type { Strategy } from './strategy.ts';

export interface StrategyTestOutcome { name: string; passed: boolean; problems: string[] }

export async function runStrategyTests(engine: StrategyEngine, strategy: Strategy): Promise<StrategyTestOutcome[]> {
  const outcomes: StrategyTestOutcome[] = [];
  for (const test of strategy.document.tests ?? []) {
    const problems: string[] = [];
    try {
      const result = await engine.evaluate(strategy, test.input as unknown as StrategyInput);
      for (const [field, expected] of Object.entries(test.expect)) {
        const actual = field === 'reasons' ? result.reasons.map((r) => r.code) : result[field as keyof StrategyResult];
        if (JSON.stringify(actual) !== JSON.stringify(expected)) problems.push(`${field}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
      }
    } catch (error) {
      problems.push((error as Error).message);
    }
    outcomes.push({ name: test.name, passed: problems.length === 0, problems });
  }
  return outcomes;
}
