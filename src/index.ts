/** Action entry point: GitHub runs dist/index.js (this file, bundled) with node24. */
import { isScanWorker, startScanWorker } from './inventory/scan-pool.js';
import { run } from './main.js';

// The bundle is also its own scan worker (see src/inventory/scan-pool.ts).
if (isScanWorker()) startScanWorker();
else void run();
