/** The policy as users configure it: .slimgate.yml, action inputs and CLI flags. */
export { CONFIG_SCHEMA, loadConfigFile, parseConfig } from './file.js';
export {
  actionLabel,
  DEFAULT_CONFIG_FILES,
  flagLabel,
  POLICY_INPUTS,
  type PolicyInputName,
  type PolicyInputRecord,
  policyFromInputs,
  resolvePolicy,
  splitGlobs,
} from './resolve.js';
export { mergePolicy, type PolicyPatch } from './merge.js';
export { parseGrowth, parseSize } from './values.js';
