/** Schema pieces shared by every domain of the contract. */
import { z } from 'zod';

/** A cluster name: lower-case letters, digits and dashes, as a folder name must be safe. */
export const clusterName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'a cluster name uses lower-case letters, digits and dashes (at most 63), starting with a letter or digit');

/** The cluster a request is for: implied on a PD endpoint, required on the host endpoint. */
export const target = { cluster: clusterName.optional() };

/** A storage URL as typed by a user; parsed by the storage layer so errors say what is supported. */
export const storageUrl = z.string().min(1).max(4096);

/** A TSO or datetime as typed by a user; parsed later by parseTs so errors name the flag. */
export const tsText = z.string().min(1).max(64);
