// Worker-thread entry: registers tsx's loader inside the worker (Node 20 does not pass --import on to
// workers), then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./ocr-worker.ts');
