/** Enterprises linked by a shared legal representative, phone or address: components by union-find. */

export interface IdentityRecord { creditCode: string; legalRepIdHash: string; phoneHash: string; addressHash: string }

export interface IdentityCluster { id: string; members: string[]; sharedBy: ('legal representative' | 'phone' | 'address')[] }

export const IDENTITY_CLUSTER_SIZE_MIN = 2;

export function identityClusters(records: readonly IdentityRecord[]): IdentityCluster[] {
  const parent = Int32Array.from(records, (_, k) => k);
  const find = (k: number): number => {
    while (parent[k] !== k) { parent[k] = parent[parent[k]!]!; k = parent[k]!; }
    return k;
  };
  const shared = new Map<number, Set<IdentityCluster['sharedBy'][number]>>();
  const attributes = [['legalRepIdHash', 'legal representative'], ['phoneHash', 'phone'], ['addressHash', 'address']] as const;
  for (const [field, label] of attributes) {
    const first = new Map<string, number>();
    records.forEach((r, k) => {
      const seen = first.get(r[field]);
      if (seen === undefined) { first.set(r[field], k); return; }
      const root = find(seen);
      parent[find(k)] = root;
      shared.set(k, (shared.get(k) ?? new Set()).add(label));
      shared.set(seen, (shared.get(seen) ?? new Set()).add(label));
    });
  }
  const groups = new Map<number, number[]>();
  records.forEach((_, k) => { const root = find(k); groups.set(root, [...(groups.get(root) ?? []), k]); });
  const clusters: IdentityCluster[] = [];
  for (const members of groups.values()) {
    if (members.length < IDENTITY_CLUSTER_SIZE_MIN) continue;
    const labels = new Set(members.flatMap((k) => [...(shared.get(k) ?? [])]));
    clusters.push({ id: '', members: members.map((k) => records[k]!.creditCode).sort(), sharedBy: [...labels].sort() });
  }
  clusters.sort((a, b) => (a.members[0]! < b.members[0]! ? -1 : 1)).forEach((c, k) => { c.id = `cluster-${k + 1}`; });
  return clusters;
}
