import { describe, expect, it } from 'vitest';
import { deflateRawSync } from 'node:zlib';
import { isJavaArchive, jarReader } from '../../src/formats/jar.js';
import { listZip, readEntry } from '../../src/formats/zip.js';
import { buildZip, pomJar } from '../helpers/zip-build.js';

/** Streams `buf` through the reader in small chunks, as the scan does. */
function readJar(buf: Buffer, path = '/app/app.jar') {
  const r = jarReader(path);
  for (let i = 0; i < buf.length; i += 7_000) r.write(buf.subarray(i, i + 7_000));
  return r.end();
}

describe('Java archives', () => {
  it('matches .jar, .war and .ear only', () => {
    expect(['/a/x.jar', '/a/x.WAR', '/x.ear'].map(isJavaArchive)).toEqual([true, true, true]);
    expect(['/a/x.jar.txt', '/a/jar', '/x.zip'].map(isJavaArchive)).toEqual([false, false, false]);
  });

  it('reads pom.properties into a Maven package that owns the jar', () => {
    const r = readJar(pomJar('org.apache.commons', 'commons-lang3', '3.12.0'));
    expect(r.packages).toEqual([
      {
        manager: 'maven',
        namespace: 'org.apache.commons',
        name: 'commons-lang3',
        version: '3.12.0',
        purl: 'pkg:maven/org.apache.commons/commons-lang3@3.12.0',
        files: ['/app/app.jar'],
      },
    ]);
    expect(r.notes).toEqual([]);
  });

  it('gives every pom.properties of a shaded jar its package', () => {
    const jar = buildZip([
      { name: 'META-INF/maven/g1/a1/pom.properties', data: 'groupId=g1\nartifactId=a1\nversion=1\n' },
      {
        name: 'META-INF/maven/g2/a2/pom.properties',
        data: 'groupId=g2\r\nartifactId=a2\r\nversion=2\r\n',
        stored: true,
      },
    ]);
    expect(readJar(jar).packages.map((p) => p.purl)).toEqual(['pkg:maven/g1/a1@1', 'pkg:maven/g2/a2@2']);
  });

  it('falls back to the manifest (continuation lines) and then the file name', () => {
    const mf =
      'Manifest-Version: 1.0\r\nBundle-SymbolicName: org.example.very.long.symbolic.name.that.wraps.past.seventy\r\n -two;singleton:=true\r\nBundle-Version: 2.1.0\r\nImplementation-Vendor-Id: org.example\r\n\r\nName: x\r\nImplementation-Title: not-main\r\n';
    const r = readJar(buildZip([{ name: 'META-INF/MANIFEST.MF', data: mf }]));
    expect(r.packages).toMatchObject([
      {
        name: 'org.example.very.long.symbolic.name.that.wraps.past.seventy-two',
        namespace: 'org.example',
        version: '2.1.0',
      },
    ]);
    const bare = readJar(buildZip([{ name: 'a.txt', data: 'x' }]), '/opt/lib/guava-31.1-jre.jar');
    expect(bare.packages).toEqual([
      { manager: 'maven', name: 'guava', version: '31.1-jre', files: ['/opt/lib/guava-31.1-jre.jar'] },
    ]);
  });

  it('reads nested jars (Spring Boot, war, ear) owned by the outer file', () => {
    const lib = pomJar('com.fasterxml.jackson.core', 'jackson-core', '2.15.0');
    const war = buildZip([{ name: 'WEB-INF/lib/jackson-core-2.15.0.jar', data: lib, stored: true }]);
    const ear = buildZip([
      { name: 'web.war', data: war },
      { name: 'BOOT-INF/lib/other.jar', data: pomJar('g', 'other', '1') },
    ]);
    const r = readJar(ear, '/srv/app.ear');
    expect(r.packages.map((p) => [p.purl ?? p.name, p.inside, p.files])).toEqual([
      ['app', undefined, ['/srv/app.ear']],
      ['web', 'web.war', ['/srv/app.ear']],
      [
        'pkg:maven/com.fasterxml.jackson.core/jackson-core@2.15.0',
        'web.war!/WEB-INF/lib/jackson-core-2.15.0.jar',
        ['/srv/app.ear'],
      ],
      ['pkg:maven/g/other@1', 'BOOT-INF/lib/other.jar', ['/srv/app.ear']],
    ]);
  });

  it('reads a jar with a launch script in front of it', () => {
    const jar = pomJar('g', 'a', '1');
    const r = readJar(Buffer.concat([Buffer.from('#!/bin/sh\nexec java -jar "$0"\n'), jar]));
    expect(r.packages.map((p) => p.purl)).toEqual(['pkg:maven/g/a@1']);
  });

  it('keeps a name that is not UTF-8 as bytes and gives it no purl', () => {
    const jar = buildZip([
      {
        name: 'META-INF/maven/g/a/pom.properties',
        data: Buffer.from('groupId=g\nartifactId=a\xff\nversion=1\n', 'latin1'),
      },
    ]);
    const [p] = readJar(jar).packages;
    expect(p?.name).toBe('a\udcff');
    expect(p?.purl).toBeUndefined();
  });

  it('a zip bomb is a note, inflated no further than the cap', () => {
    const bomb = Buffer.alloc(80 * 1024 * 1024); // 80 MiB of zeros deflates to ~80 KB
    const jar = buildZip([
      { name: 'META-INF/maven/g/a/pom.properties', data: bomb, claimSize: 10 },
      { name: 'BOOT-INF/lib/big.jar', data: bomb },
    ]);
    const r = readJar(jar);
    expect(r.packages.filter((p) => p.purl)).toEqual([]);
    expect(r.notes.join('\n')).toMatch(/inflates past \d+ bytes \(a zip bomb\?\)/);
    expect(r.bad).toBeGreaterThan(0);
  });

  it('a central directory that claims a million entries is read as far as it goes', () => {
    const jar = buildZip(
      [{ name: 'META-INF/maven/g/a/pom.properties', data: 'groupId=g\nartifactId=a\nversion=1\n' }],
      {
        claimCount: 0xffff,
      },
    );
    const r = readJar(jar);
    expect(r.packages.map((p) => p.purl)).toEqual(['pkg:maven/g/a@1']);
    expect(r.notes).toEqual(['the central directory ends before the count it claims']);
    // The same count as a 16-bit field with no ZIP64 locator is a plain (lying) count.
    const plain = buildZip([{ name: 'x', data: '' }], { claimCount: 0xffff });
    expect(readJar(plain).notes).toContain('the central directory ends before the count it claims');
  });

  it('a directory with more entries than the cap is cut, with a note', () => {
    const names = Array.from({ length: 1_001 }, (_, i) => ({ name: `m${i}`, data: '', stored: true }));
    const z = listZip(buildZip(names), 1_000, () => false);
    expect(z.cut).toBe(1);
    expect(z.notes).toEqual(['more than 1000 entries: the rest were not read']);
  });

  it('jars nested 100 deep stop at the depth cap, with a note', () => {
    let jar = pomJar('g', 'deepest', '1');
    for (let i = 0; i < 100; i++) jar = buildZip([{ name: `lib/l${i}.jar`, data: jar, stored: true }]);
    const r = readJar(jar);
    expect(r.notes).toContain('archives nested more than 8 deep: not read');
    expect(r.packages.some((p) => p.name === 'deepest')).toBe(false);
    expect(r.packages.length).toBeLessThanOrEqual(9);
  });

  it('bad offsets, broken deflate data and garbage are notes, never a throw', () => {
    const good = pomJar('g', 'a', '1');
    const dirAt = good.lastIndexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    const badOffset = Buffer.from(good);
    badOffset.writeUInt32LE(0x7fffffff, dirAt + 42);
    expect(readJar(badOffset).notes.join('\n')).toMatch(/outside the archive|local header/);
    const broken = buildZip([
      { name: 'META-INF/maven/g/a/pom.properties', data: Buffer.from('xx'), stored: true },
    ]);
    broken.writeUInt16LE(8, broken.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10); // claim deflate
    expect(readJar(broken).notes).toContain('an entry whose deflate data is broken');
    expect(readJar(Buffer.from('not a zip at all')).notes).toEqual([
      'no ZIP end record: not a ZIP archive, or cut short',
    ]);
    const overlap = buildZip([{ name: 'META-INF/MANIFEST.MF', data: 'x' }]);
    overlap.writeUInt32LE(0xfffffff0, overlap.length - 22 + 12); // a directory size larger than the file
    expect(readJar(overlap).notes).toEqual(['the central directory lies outside the archive']);
  });

  it('an archive over the cap is a note, not held', () => {
    const r = jarReader('/big.jar');
    const chunk = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < 9; i++) r.write(chunk);
    const out = r.end();
    expect(out.notes).toEqual(['a Java archive larger than 64 MiB: not read']);
    expect(out.cut).toBe(1);
  });

  it('readEntry refuses unknown methods and caps stored entries', () => {
    const z = buildZip([{ name: 'a', data: 'hello', stored: true }]);
    const [e] = listZip(z, 10, () => true).entries;
    if (!e) throw new Error('no entry');
    expect(readEntry(z, e, 3)).toBe('an entry larger than 3 bytes');
    expect(readEntry(z, { ...e, method: 12 }, 100)).toBe('an entry compressed with method 12, not read');
    expect(deflateRawSync('x').length).toBeGreaterThan(0);
  });
});
