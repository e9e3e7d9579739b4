/**
 * String formats kube-apiserver checks for custom resources (the kube-openapi format
 * registry), and the numeric ranges of int32/int64.
 */

const dateTime = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const patterns: Record<string, RegExp> = {
  'date-time': dateTime,
  datetime: dateTime,
  date: /^\d{4}-\d{2}-\d{2}$/,
  uuid: /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/,
  email: /^[^\s@]+@[^\s@]+$/,
  hostname: /^(?=.{1,253}$)[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*\.?$/,
  ipv4: /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/,
  byte: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/,
  mac: /^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/,
  hexcolor: /^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/,
  duration: /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/,
};

function isIPv6(value: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(value) || !value.includes(':')) return false;
  const halves = value.split('::');
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === '' ? [] : half.split(':')));
  return groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g) || /^\d+\.\d+\.\d+\.\d+$/.test(g)) && (halves.length === 2 ? groups.length < 8 : groups.length === 8);
}

function isURI(value: string): boolean {
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * checkStringFormat tells whether `value` satisfies string format `format`; unknown formats
 * pass, as in Kubernetes.
 */
export function checkStringFormat(format: string, value: string): boolean {
  if (format === 'ipv6') return isIPv6(value);
  if (format === 'cidr') {
    const [ip, bits, ...rest] = value.split('/');
    if (ip === undefined || bits === undefined || rest.length > 0 || !/^\d+$/.test(bits)) return false;
    const v4 = patterns.ipv4?.test(ip) === true;
    return (v4 && Number(bits) <= 32) || (!v4 && isIPv6(ip) && Number(bits) <= 128);
  }
  if (format === 'uri') return isURI(value);
  if (format === 'date' && patterns.date?.test(value) === true) return !Number.isNaN(Date.parse(value));
  if ((format === 'date-time' || format === 'datetime') && patterns[format]?.test(value) === true) {
    return !Number.isNaN(Date.parse(value.replace(' ', 'T')));
  }
  const pattern = patterns[format];
  return pattern === undefined ? true : pattern.test(value);
}

/** checkIntegerFormat tells whether integer `value` fits format int32 or int64; other formats pass. */
export function checkIntegerFormat(format: string, value: number): boolean {
  if (format === 'int32') return value >= -2147483648 && value <= 2147483647;
  if (format === 'int64') return Number.isSafeInteger(value) || Math.abs(value) <= 9223372036854775807;
  return true;
}
