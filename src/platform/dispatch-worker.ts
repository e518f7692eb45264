/**
 * One dispatch solve in a worker thread: the HiGHS solve is synchronous WebAssembly and may take seconds to minutes
 * (bounded by the policy's node budget), so the service runs it here and its event loop keeps answering requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { dispatchMip } from './dispatch.ts';
import type { DispatchWorkerReply, DispatchWorkerRequest } from './dispatch.ts';

const request = workerData as DispatchWorkerRequest;
let reply: DispatchWorkerReply;
try {
  reply = { ok: true, result: await dispatchMip(request.problem, request.policy) };
} catch (error) {
  reply = { ok: false, rangeError: error instanceof RangeError, message: error instanceof Error ? error.message : String(error) };
}
parentPort!.postMessage(reply);
