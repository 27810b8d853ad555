/** Kept equal to package.json's version by a unit test. */
export const VERSION = '0.1.0';
/** The project's home: the comment's footer, the docs links, SARIF's informationUri. */
export const REPO_URL = 'https://github.com/slimgate/slimgate';
