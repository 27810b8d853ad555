/** Worker entry for the tsc build (lib/); the ncc bundles route to startScanWorker from their entry points. */
import { startScanWorker } from './pool.js';

startScanWorker();
