import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, posix, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/*
 * DESIGN §7 (issue 14): the layers, read from the import graph of src/ and web/src/. Type-only
 * imports count: a type from a layer is a dependency on it all the same.
 */

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Import {
  /** The importing file, relative to the repository (posix). */
  file: string;
  specifier: string;
  /** The imported file's path relative to the repository, or null for a package. */
  target: string | null;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const path = posix.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): Import[] {
  const info = ts.preProcessFile(readFileSync(join(ROOT, file), 'utf8'), true, true);
  return info.importedFiles.map(({ fileName: specifier }) => ({
    file,
    specifier,
    target: specifier.startsWith('.')
      ? relative(ROOT, join(ROOT, posix.dirname(file), specifier)).split('\\').join('/').replace(/\.js$/, '.ts')
      : null,
  }));
}

const IMPORTS = [...sourceFiles('src'), ...sourceFiles('web/src')].flatMap(importsOf);

const under = (dir: string) => (path: string | null) => path !== null && path.startsWith(`${dir}/`);

/** The imports of files under `from` that break the rule, as "file -> specifier". */
function breaking(from: string, allowed: (i: Import) => boolean): string[] {
  return IMPORTS.filter((i) => under(from)(i.file) && !allowed(i)).map((i) => `${i.file} -> ${i.specifier}`);
}

describe('layers (DESIGN §7, issue 14)', () => {
  it('reads the import graph (a sanity check of the test itself)', () => {
    expect(IMPORTS.length).to.be.greaterThan(500);
    expect(IMPORTS.some((i) => i.file === 'src/main.ts' && i.target === 'src/runtime.ts')).to.equal(true);
  });

  it('domain is pure: it imports nothing outside src/domain, no package either', () => {
    expect(breaking('src/domain', (i) => under('src/domain')(i.target))).to.deep.equal([]);
  });

  it('the contract (shared with the web client) imports only itself, the domain and zod', () => {
    expect(breaking('src/contract', (i) => i.specifier === 'zod' || under('src/contract')(i.target) || under('src/domain')(i.target)))
      .to.deep.equal([]);
  });

  it('app imports no adapter, no composition code: only app, domain, contract and packages', () => {
    expect(breaking('src/app', (i) => i.target === null || ['src/app', 'src/domain', 'src/contract'].some((d) => under(d)(i.target))))
      .to.deep.equal([]);
  });

  it('the HTTP adapter reaches MySQL only through the ports of app: no import of src/adapters/mysql', () => {
    expect(breaking('src/adapters/http', (i) => !under('src/adapters/mysql')(i.target))).to.deep.equal([]);
  });

  it('the FreeSWITCH simulator stands outside the dialer: no import of src/app', () => {
    expect(breaking('src/simulator', (i) => !under('src/app')(i.target))).to.deep.equal([]);
  });

  it('the web client imports no server code but the contract', () => {
    expect(breaking('web/src', (i) => i.target === null || under('web/src')(i.target) || under('src/contract')(i.target)))
      .to.deep.equal([]);
  });
});
