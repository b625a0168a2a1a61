// What a block is named by (API.md "Blocks"): an address (203.0.113.7, 2001:db8::1) or a
// prefix (203.0.113.0/24, 2001:db8:5::/48). A browser-side shape check only: the sensor stays
// the authority (host bits, minimum lengths, protected prefixes), but text that is not an
// address never reaches a URL path.

/** The longest text the server takes for a prefix (kMaxPrefixText): 45 + "/128". */
export const MAX_TARGET_TEXT = 49;

export interface BlockTarget {
  addr: string;
  len: number | null;  // null: a host (an address without /len)
  family: 4 | 6;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/** RFC 4291 text: 8 groups, one "::" for a run of zeros, an IPv4 tail in place of the last two. */
export function isIPv6(s: string): boolean {
  if (s.length < 2 || s.length > 45 || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const halves = s.split('::');
  if (halves.length > 2) return false;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.includes('.') && !s.endsWith(':')) {
      if (!isIPv4(g)) return false;
      count += 2;
    } else if (HEXTET.test(g)) {
      count += 1;
    } else {
      return false;
    }
  }
  return halves.length === 2 ? count <= 7 : count === 8;
}

/** The address or address/len in `text`, or null when it is not one (nothing is trimmed). */
export function parseBlockTarget(text: string): BlockTarget | null {
  if (typeof text !== 'string' || text.length === 0 || text.length > MAX_TARGET_TEXT) return null;
  const parts = text.split('/');
  if (parts.length > 2) return null;
  const [addr, lenText] = parts;
  const family = isIPv4(addr) ? 4 : isIPv6(addr) ? 6 : null;
  if (family === null) return null;
  if (lenText === undefined) return { addr, len: null, family };
  if (!/^(0|[1-9]\d{0,2})$/.test(lenText)) return null;
  const len = Number(lenText);
  if (len > (family === 4 ? 32 : 128)) return null;
  return { addr, len, family };
}

/** The path of DELETE for a block's name: /api/blocks/<ip> or /api/blocks/<net>/<len>, each
 * part encoded on its own (the slash between them is a path separator: the server refuses
 * an encoded %2F). Null when `name` is not an address or prefix. */
export function blockPath(name: string): string | null {
  const t = parseBlockTarget(name);
  if (!t) return null;
  const path = `/api/blocks/${encodeURIComponent(t.addr)}${t.len === null ? '' : `/${t.len}`}`;
  // Belt and braces: only hex digits, dots, encoded colons and one numeric length.
  return /^\/api\/blocks\/[0-9A-Fa-f.%]+(\/\d{1,3})?$/.test(path) ? path : null;
}
