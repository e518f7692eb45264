/**
 * The `puhui` command. Every sub-command takes --json for machine output; people get tables and a
 * progress bar. Bad input ends with a one-line message and exit code 2, never a stack trace.
 *
 * Each command lives in its own module, loaded only when it runs: `puhui --help` and `puhui features --list`
 * do not load DuckDB, the rules engine or the model kit. A command parses its flags, calls one function of
 * src/pipeline (or the module below it) and renders the result.
 */
import { PuhuiUserError, USER_ERROR_EXIT_CODE } from '../domain/errors.ts';
import { UsageError, writeErr, writeOut } from './args.ts';

/** A command returns its exit code (0 when it returns nothing); user errors are thrown as PuhuiUserError. */
export type Command = (argv: string[]) => Promise<number | void>;

/** Each command's usage, shown by `puhui CMD --help` and, all together, by `puhui --help`. */
const USAGE: Record<string, string> = {
  demo: `  puhui demo [--out DIR] [--enterprises N] [--json]
      The whole pipeline on a synthetic economy: generate, import, features, anti-fraud, scorecard, a credit
      decision for every enterprise and the backtest of the default strategy against a challenger. 全流程演示。`,
  synth: `  puhui synth --out DIR [--enterprises N] [--months M] [--seed S] [--end-month YYYY-MM] [--bad-rate R] [--json]
      Write a deterministic synthetic SME economy (CSV dataset with labels.csv). 生成模拟数据集。`,
  import: `  puhui import DIR --out DIR2 [--external-counterparties] [--json]
      Validate every row of DIR and merge the valid ones into DIR2 (Parquet); rejected rows go to
      DIR2/quarantine/ with file, line, column and reason. The manifest is written last: a dataset without one
      is refused by every command. 导入并校验数据，问题行隔离存放。`,
  inspect: `  puhui inspect DIR CREDIT_CODE [--months N] [--json]
      Print an enterprise's dossier: profile and the last N months (default 12). 查看企业档案。`,
  features: `  puhui features --list [--json]
      The feature catalogue: id, group, type, unit, description. 指标目录。
  puhui features DIR [--as-of YYYY-MM-DD] [--out FILE.parquet|FILE.csv] [--report [--labels FILE]] [--workers N] [--json]
      Point-in-time features of every enterprise as of a date (default: the dataset's observation date);
      --report prints each feature's information value against defaults in the 12 months after it. 批量计算指标。`,
  train: `  puhui train DATA.csv|DATA.parquet --target COL --out model.json [--bad VALUE] [--id COL] [--exclude A,B] [--categorical C,D]
        [--test DATA2 | --test-share 0.3 --seed 1] [--missing-target drop|refuse] [--report report.html] [binning, selection, scaling flags]
      A scorecard from any table: DuckDB reads and types it; --bad names the bad value (else 0/1 or true/false). 用自有数据训练评分卡。
  puhui train --features FILE [--labels FILE] (--target COL | --as-of YYYY-MM-DD) --out model.json [--report report.html]
        [--test-features FILE --test-as-of YYYY-MM-DD | --test-share 0.3 --seed 1] [--method monotonic|quantile|uniform|chimerge|tree]
        [--max-bins N] [--min-bin-share X] [--stepwise forward|backward] [--criterion aic|bic|pvalue] [--l2 X] [--grades N] [--json]
      A scorecard (binning, WOE, logistic regression, points, grades) and its report; flags in docs/models.md. 训练评分卡。`,
  score: `  puhui score DATA.csv|DATA.parquet --model model.json --out FILE.csv|FILE.parquet [--id COL] [--json]   (or --features FILE)
      Score, probability of bad and grade for every row, keyed by --id; the model may be a scorecard, an AHP expert model
      (puhui-ahp/1) or a model set routing segments to models (puhui-modelset/1). 评分。`,
  fraud: `  puhui fraud DIR [--as-of YYYY-MM-DD] [--policy FILE.json] [--out FILE.json] [--eval [--labels FILE]] [--window-months N]
        [--max-length N] [--json]
      Anti-fraud signals with evidence: circular-invoicing rings, shell clusters, pass-through, burst invoicing,
      single-source inflation, return corrections, under a fraud policy file (default policies/fraud-default.json);
      --eval prints precision and recall per planted typology. 反欺诈。`,
  snapshot: `  puhui snapshot DIR [--as-of YYYY-MM-DD] [--out DIR] [--workers N] [--json]
      The snapshot online decisions read: industry reference, anti-fraud per enterprise, compact dossiers and
      features as of a date, built once into DIR/../snapshots/<id> (or --out). 构建在线决策快照。`,
  decide: `  puhui decide DIR CREDIT_CODE [--as-of YYYY-MM-DD] [--amount FEN] [--term MONTHS] [--strategy S.json] [--model FILE]
        [--challenger T.json [--share 0.2] [--mode shadow|live] [--experiment ID]] [--features FILE] [--fraud FILE.json] [--json]
      One credit decision (approve / review / decline, limit, rate, term) with its reasons and the trace of the rules
      that fired. Default strategy: strategies/tax-loan.json; default model: scorecard.json beside DIR. 授信决策。
  puhui decide DIR --all --out FILE.jsonl|FILE.csv [--trace] [same options]
      Decide every enterprise of the dataset; prints approval rate, limits, the main reasons and the enterprises
      left out with the reason (registered after the as-of date, absent from --features). 批量决策。`,
  backtest: `  puhui backtest DIR [--strategy S.json] [--challenger T.json] [--as-of YYYY-MM-DD] [--labels FILE] [--report FILE.html] [--json]
      Try strategies on history: approval, bad rate and loss of the approved, by grade, segment, region and product,
      and the swap set between two strategies. 策略回测。`,
  strategy: `  puhui strategy check S.json [T.json ...] [--json]
      Validate strategies and run the tests embedded in them. 策略校验。
  puhui strategy diff OLD.json NEW.json [--json]
      What changed between two versions: header, nodes (and their type), rules cell by cell, expressions, settings,
      wiring. 策略版本对比。`,
  loan: `  puhui loan schedule --principal YUAN --rate PERCENT_A_YEAR --months N --method equal-instalment|equal-principal|interest-only|flat
        [--start YYYY-MM-DD] [--day-count 30/360|actual/365|actual/360] [--multiple YUAN] [--decimals 0|1|2] [--grace-principal N]
        [--grace-interest N] [--json]
      A repayment schedule in yuan for checking by hand (e.g. --principal 5000 --rate 12 --months 18 --multiple 1). 还款计划。
  puhui loan close --date YYYY-MM-DD [--database URL | --data DIR] [--workers N] [--json]
      The nightly close of a date: accrual, days past due, buckets, five-category classification, through a job queue
      (pg-boss worker processes on PostgreSQL; in-process on the embedded store). Reruns are harmless. 日终批处理。`,
  monitor: `  puhui monitor leadtime DIR [--strategy S.json] [--policy P.json] [--json]
      How early the early-warning strategy flags the defaults of a labelled dataset, and its false alarms. 预警提前期。
  puhui monitor warnings DIR CREDIT_CODE --as-of YYYY-MM-DD [--json]
      One enterprise's post-loan warning as of a date, with evidence and actions. 贷后预警。`,
  serve: `  puhui serve [--port P] [--database URL | --data DIR] [--dataset DIR] [--strategy S.json] [--challenger T.json --share X --mode M]
        [--model FILE] [--rate-limit REQUESTS_PER_MINUTE_PER_KEY] [--log]
      The HTTP service (OpenAPI at /openapi.json): tenants, consent, audited data, intake, online decisions. 服务。
  puhui serve --demo [--port P]
      A small demo economy in a fresh embedded store; prints API keys and three curl commands. 服务演示。`,
  audit: `  puhui audit verify [--database URL | --data DIR] [--json]
      Walk the store's hash-chained audit trail and name the first altered or missing entry (exit 1 if broken). 审计链校验。`,
  selfproof: `  puhui selfproof read FILE [--dataset DIR] [--applicant CREDIT_CODE] [--json]
      Read an invoice, business licence or contract photo (JPEG, PNG, PDF) offline, check its fields and verify
      them against a dataset; also \`selfproof eval-set\` and \`selfproof eval\`. 自证材料识别与核验。`,
  platform: `  puhui platform simulate [--months 12] [--seed S] [--out DIR] [--enterprises N] [--banks N] [--json]
      The 信易贷 platform run month by month over a synthetic economy: needs, bank claims and decisions, loans, defaults,
      guarantee-fund claims; figures as JSON (the same for a seed) and an HTML report with charts. 平台模拟。`,
};

const HELP = `puhui — inclusive SME credit on data instead of collateral (普惠)

Usage:
${Object.values(USAGE).join('\n')}

'puhui CMD --help' shows one command. Exit codes: 0 done; 1 done, but something needs attention (an import
with a file that could not be read, a failing strategy test); 2 bad input, one line on stderr (nothing or
nothing more was done); 3 internal error (a defect: please report it).
`;

/** Commands, each loaded on first use. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo.ts')).commandDemo,
  synth: async () => (await import('./synth.ts')).commandSynth,
  import: async () => (await import('./import.ts')).commandImport,
  inspect: async () => (await import('./inspect.ts')).commandInspect,
  features: async () => (await import('./features.ts')).commandFeatures,
  fraud: async () => (await import('./fraud.ts')).commandFraud,
  train: async () => (await import('./train-command.ts')).commandTrain,
  score: async () => (await import('./train-command.ts')).commandScore,
  decide: async () => (await import('./decide.ts')).commandDecide,
  backtest: async () => (await import('./decide.ts')).commandBacktest,
  strategy: async () => (await import('./decide.ts')).commandStrategy,
  snapshot: async () => (await import('./snapshot.ts')).commandSnapshot,
  loan: async () => (await import('./loan.ts')).commandLoan,
  monitor: async () => (await import('./monitor.ts')).commandMonitor,
  serve: async () => (await import('./serve.ts')).commandServe,
  audit: async () => (await import('./audit.ts')).commandAudit,
  selfproof: async () => (await import('./selfproof.ts')).commandSelfproof,
  platform: async () => (await import('./platform.ts')).commandPlatform,
};

const INTERNAL_ERROR_EXIT_CODE = 3;

function isHelp(arg: string | undefined): boolean {
  return arg === '--help' || arg === '-h' || arg === 'help';
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || isHelp(command)) {
      const topic = rest[0];
      if (topic !== undefined && USAGE[topic] === undefined) throw new UsageError(`unknown command '${topic}'; try 'puhui --help'`);
      writeOut(topic !== undefined ? `Usage:\n${USAGE[topic]}\n` : HELP);
      return 0;
    }
    const load = COMMANDS[command];
    if (!load) throw new UsageError(`unknown command '${command}'; try 'puhui --help'`);
    if (rest.includes('--help') || rest.includes('-h')) {
      writeOut(`Usage:\n${USAGE[command] ?? `  puhui ${command}`}\n`);
      return 0;
    }
    const run = await load();
    // A command either returns its exit code or sets process.exitCode (1: done, but something needs attention).
    const code = await run(rest);
    return code ?? (typeof process.exitCode === 'number' ? process.exitCode : 0);
  } catch (error) {
    // Errors that describe bad input: the user gets the message, never a stack trace.
    if (error instanceof PuhuiUserError) {
      writeErr(`puhui: ${error.message.replace(/\s*\n\s*/g, ' ')}\n`);
      return USER_ERROR_EXIT_CODE;
    }
    writeErr(`puhui: internal error: ${(error as Error).message.split('\n')[0]}\n`);
    if (process.env.PUHUI_DEBUG) writeErr(`${(error as Error).stack}\n`);
    else writeErr('(set PUHUI_DEBUG=1 for the stack trace, and please report it)\n');
    return INTERNAL_ERROR_EXIT_CODE;
  }
}
