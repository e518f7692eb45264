// The CLI from the sources, for tests (bin/puhui.js runs the compiled dist/).
import { main } from '../../src/cli/main.ts';

process.exitCode = await main(process.argv.slice(2));
