// Layer rules (ARCHITECTURE.md): a folder imports only from folders below it, and nothing cycles.
// Rank, bottom up: util/types · sources · scan · flatten · analysis · report · engine · config · surfaces.
const LAYERS = [
  ['util', 'types'],
  ['sources'],
  ['scan'],
  ['flatten'],
  ['analysis'],
  ['report'],
  ['engine'],
  ['config'],
  ['cli', 'action', 'github'],
];

const folder = (names) => `^src/(${names.join('|')})/`;

const forbidden = LAYERS.map((names, rank) => {
  const above = LAYERS.slice(rank + 1).flat();
  return {
    name: `layer-${names.join('-')}`,
    comment: `${names.join(', ')} may import only from the layers below it`,
    severity: 'error',
    from: { path: folder(names) },
    // Surfaces import each other (cli ↔ github ↔ action are one layer); the top layer has nothing above.
    to: { path: above.length ? folder(above) : '^$' },
  };
}).filter((r) => r.to.path !== '^$');

module.exports = {
  forbidden: [
    ...forbidden,
    {
      name: 'entries-are-top',
      comment: 'src/cli.ts and src/index.ts are entry points: nothing imports them',
      severity: 'error',
      from: {},
      to: { path: '^src/(cli|index)\\.ts$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-orphans',
      severity: 'error',
      from: { orphan: true, pathNot: ['\\.d\\.ts$', '^src/(cli|index)\\.ts$', '^src/scan/worker\\.ts$'] },
      to: {},
    },
    {
      name: 'src-not-to-tests',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^__tests__/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
  },
};
