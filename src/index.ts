/** Action entry point: GitHub runs dist/index.js (this file, bundled) with node24. */
import { isScanWorker, startScanWorker } from './scan/pool.js';
import { run } from './action/main.js';

// The bundle is also its own scan worker (see src/scan/pool.ts).
if (isScanWorker()) startScanWorker();
else void run();
