import { importDataset } from '../../src/data/index.ts';

const [source, target] = process.argv.slice(2);
const summary = await importDataset({ sourceDir: source!, targetDir: target! });
console.log(JSON.stringify({ rejected: summary.entities.reduce((sum, e) => sum + e.rowsRejected, 0), maxRssKb: process.resourceUsage().maxRSS }));
