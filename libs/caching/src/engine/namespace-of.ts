/** The metrics label of a key: its first three segments (`cref:users:user`), so label cardinality stays small. */
export function namespaceOf(key: string): string {
  let end = -1;
  for (let i = 0; i < 3; i++) {
    end = key.indexOf(':', end + 1);
    if (end === -1) return key;
  }
  return key.slice(0, end);
}
