/** A PostgreSQL URL as it may be printed: the password (if any) replaced by ***. */
export function maskUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]*:)[^@]*@/i, '$1***@');
}

export function isPostgresUrl(v: string): boolean {
  return /^postgres(ql)?:\/\//i.test(v);
}
