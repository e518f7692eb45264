/**
 * Enterprises linked by a shared legal representative, phone or address: components by union–find, in time
 * linear in the number of enterprises (each value links its firms to the first firm that has it).
 *
 * Two kinds of value never link:
 * - placeholders — values that mean "unknown" (the policy's list, e.g. hashes of the empty string; an empty
 *   value; one character repeated): ignored and reported with how many firms carry them;
 * - hubs — a value shared by `hubMembersMin` firms or more (a registered-agent address, an accountant's
 *   phone): evidence of its own, reported with its firms, because merging through it would join thousands
 *   of unrelated firms into one cluster that swallows every ring.
 */

export interface IdentityRecord { creditCode: string; legalRepIdHash: string; phoneHash: string; addressHash: string }

export type IdentityKind = 'legal representative' | 'phone' | 'address';

export interface IdentityCluster { id: string; members: string[]; sharedBy: IdentityKind[] }

/** A value shared by so many firms that it is evidence of its own instead of a link. */
export interface IdentityHub { id: string; kind: IdentityKind; value: string; members: string[] }

export interface IdentityPlaceholder { kind: IdentityKind; value: string; firms: number }

export interface IdentityClusters { clusters: IdentityCluster[]; hubs: IdentityHub[]; placeholders: IdentityPlaceholder[] }

export interface IdentityLimits { hubMembersMin: number; placeholderValues: readonly string[] }

export const IDENTITY_CLUSTER_SIZE_MIN = 2;

const ATTRIBUTES = [['legalRepIdHash', 'legal representative'], ['phoneHash', 'phone'], ['addressHash', 'address']] as const;

/** Empty, in the policy's list, or one character repeated (00000000…, ffffffff…). */
export function isPlaceholder(value: string, listed: ReadonlySet<string>): boolean {
  const trimmed = value.trim().toLowerCase();
  if (trimmed === '' || listed.has(trimmed)) return true;
  return trimmed.length > 1 && trimmed.split('').every((ch) => ch === trimmed[0]);
}

export function identityClusters(records: readonly IdentityRecord[], limits: IdentityLimits): IdentityClusters {
  const listed = new Set(limits.placeholderValues.map((v) => v.trim().toLowerCase()));
  const parent = Int32Array.from(records, (_, k) => k);
  const find = (k: number): number => {
    while (parent[k] !== k) { parent[k] = parent[parent[k]!]!; k = parent[k]!; }
    return k;
  };
  const sharedBy = new Map<number, Set<IdentityKind>>();
  const hubs: IdentityHub[] = [];
  const placeholders: IdentityPlaceholder[] = [];
  for (const [field, kind] of ATTRIBUTES) {
    const holders = new Map<string, number[]>();
    records.forEach((r, k) => {
      const list = holders.get(r[field]);
      if (list) list.push(k);
      else holders.set(r[field], [k]);
    });
    for (const [value, firms] of holders) {
      if (isPlaceholder(value, listed)) { placeholders.push({ kind, value, firms: firms.length }); continue; }
      if (firms.length < 2) continue;
      if (firms.length >= limits.hubMembersMin) {
        hubs.push({ id: '', kind, value, members: firms.map((k) => records[k]!.creditCode).sort() });
        continue;
      }
      const root = find(firms[0]!);
      for (const k of firms) {
        parent[find(k)] = root;
        sharedBy.set(k, (sharedBy.get(k) ?? new Set()).add(kind));
      }
    }
  }
  const groups = new Map<number, number[]>();
  records.forEach((_, k) => {
    const root = find(k);
    const group = groups.get(root);
    if (group) group.push(k);
    else groups.set(root, [k]);
  });
  const clusters: IdentityCluster[] = [];
  for (const members of groups.values()) {
    if (members.length < IDENTITY_CLUSTER_SIZE_MIN) continue;
    const kinds = new Set(members.flatMap((k) => [...(sharedBy.get(k) ?? [])]));
    clusters.push({ id: '', members: members.map((k) => records[k]!.creditCode).sort(), sharedBy: [...kinds].sort() });
  }
  clusters.sort((a, b) => (a.members[0]! < b.members[0]! ? -1 : 1)).forEach((c, k) => { c.id = `cluster-${k + 1}`; });
  hubs.sort((a, b) => b.members.length - a.members.length || (a.value < b.value ? -1 : 1)).forEach((h, k) => { h.id = `hub-${k + 1}`; });
  placeholders.sort((a, b) => b.firms - a.firms || (a.kind < b.kind ? -1 : 1));
  return { clusters, hubs, placeholders };
}
