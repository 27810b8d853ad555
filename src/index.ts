/** Action entry point: GitHub runs dist/index.js (this file, bundled) with node24. */
import { isScanWorker, startScanWorker } from './scan/pool.js';
import { run } from './action/main.js';
import { cancelOnSignals } from './util/interrupt.js';
import * as core from '@actions/core';

// The bundle is also its own scan worker (see src/scan/pool.ts).
if (isScanWorker()) startScanWorker();
else {
  // A cancelled job stops docker and buildx and removes its temp files before the runner kills it.
  cancelOnSignals((line) => core.setFailed(`Slimgate: ${line}`));
  void run();
}
