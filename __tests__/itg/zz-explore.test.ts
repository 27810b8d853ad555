import { it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { TestImages, sourcesOf } from '../helpers/images.js';
import { umociUnpack, fromOracle, fromReport } from '../helpers/oracle.js';
import { inspect } from '../../src/engine.js';

it('explore', async () => {
  const images = new TestImages();
  try {
    for (const name of ['crafted'] as const) {
      const img = await images.get(name);
      const u = umociUnpack(img.ociDir, img.ociRef);
      const o = fromOracle(u.records);
      u.remove();
      for (const [form, src] of Object.entries(sourcesOf(img))) {
          const [r] = await inspect(src);
          const f = fromReport(r!.files);
          const same = JSON.stringify(f) === JSON.stringify(o);
          console.log(name, form, same, r!.size, r!.image.digest);
          if (!same) {
            writeFileSync(`/tmp/explore/${name}-${form}-report.txt`, f.map((x) => JSON.stringify(x)).join('\n') + '\n');
            writeFileSync(`/tmp/explore/${name}-oracle.txt`, o.map((x) => JSON.stringify(x)).join('\n') + '\n');
          }
      }
    }
  } finally { images.cleanup(); }
});
