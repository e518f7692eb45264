/** One OCR worker thread: loads the models once, then reads the pages it is sent, one at a time. */
import { parentPort, workerData } from 'node:worker_threads';
import { OcrEngine } from './ocr-engine.ts';
import type { PageImage } from './page.ts';

if (!parentPort) throw new Error('ocr-worker.ts must run in a worker thread');
const port = parentPort;
const { threads, detectSideMaxPx, spinning } = workerData as { threads: number; detectSideMaxPx?: number; spinning?: boolean };
const engine = await OcrEngine.create(threads, detectSideMaxPx, spinning === true);
port.on('message', async (message: { id: number; page: PageImage }) => {
  try {
    const lines = await engine.read(message.page);
    port.postMessage({ id: message.id, lines });
  } catch (error) {
    port.postMessage({ id: message.id, error: (error as Error).message });
  }
});
port.postMessage({ ready: true });
