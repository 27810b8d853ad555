/** The CLI's registry and cache flags, and the engine options they make. */
import { InputError } from '../util/errors.js';
import { helpOf, optionsOf, type FlagRow } from './flag-table.js';
import type { RegistryOptions } from '../sources/registry/client.js';
import { normaliseRegistryName } from '../sources/registry/reference.js';

/** The registry and cache flags, in the help's order. */
export const REGISTRY_ROWS = [
  {
    flag: 'username',
    type: 'string',
    arg: 'U',
    usage:
      "registry user for SOURCE's registry (with --password-stdin); else the\nDocker config (~/.docker/config.json, credHelpers, credsStore) is used",
  },
  { flag: 'password-stdin', type: 'boolean', usage: 'read the password or token from stdin' },
  {
    flag: 'insecure-registry',
    type: 'string',
    multiple: true,
    arg: 'H',
    usage:
      'registry H may be plain HTTP: HTTPS first, then HTTP (repeatable; localhost and 127.0.0.0/8 always are plain HTTP)',
  },
  {
    flag: 'no-cache',
    type: 'boolean',
    usage: 'do not use the layer cache (also SLIMGATE_CACHE=0; SLIMGATE_CACHE_DIR moves it)',
  },
] as const satisfies readonly FlagRow[];

export const REGISTRY_FLAGS = optionsOf(REGISTRY_ROWS);

export const REGISTRY_USAGE = `Registry and cache options:
${helpOf(REGISTRY_ROWS)}
`;

export interface RegistryFlagValues {
  username?: string;
  'password-stdin'?: boolean;
  'insecure-registry'?: string[];
  'no-cache'?: boolean;
}

async function readStdin(): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of process.stdin as AsyncIterable<Buffer>) parts.push(c);
  return Buffer.concat(parts)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Engine options from the flags. Explicit credentials are bound to one registry (`registry`, the one the
 * source or the pushed tag names), so they are never sent anywhere else.
 */
export async function registryOptionsFromFlags(
  values: RegistryFlagValues,
  registry: string | undefined,
  stdin: () => Promise<string> = readStdin,
): Promise<{ registry: RegistryOptions; cache?: false }> {
  const insecure = (values['insecure-registry'] ?? []).map(normaliseRegistryName).filter(Boolean);
  const opts: RegistryOptions = { insecureRegistries: insecure };
  const user = values.username;
  const wantsPassword = !!values['password-stdin'];
  if (user !== undefined || wantsPassword) {
    if (!user) throw new InputError('--password-stdin needs --username');
    if (!wantsPassword)
      throw new InputError('--username needs --password-stdin (the password is read from stdin)');
    if (!registry)
      throw new InputError('--username applies to a registry source (docker://REF or a bare REF)');
    const password = await stdin();
    if (!password) throw new InputError('--password-stdin: stdin is empty');
    opts.credentials = { credentials: [{ registry, username: user, password }] };
  }
  return values['no-cache'] ? { registry: opts, cache: false } : { registry: opts };
}
