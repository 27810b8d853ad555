/** Action entry point: GitHub runs dist/index.js (this file, bundled) with node24. */
import { run } from './main.js';

void run();
