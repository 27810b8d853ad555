/** The policy as users configure it: .slimgate.yml, action inputs and CLI flags. */
export { POLICY_INPUTS, resolvePolicy } from './resolve.js';
