// A password for an administrator to hand over (reset, new account): random, from an alphabet
// without look-alikes (0/O, 1/l/I), drawn with crypto.getRandomValues without modulo bias.
const ALPHABET = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/**
 * @param {number} [length]
 * @param {(array: Uint8Array) => Uint8Array} [random] crypto.getRandomValues
 */
export function generatePassword(
  length = 16,
  random = (a) => globalThis.crypto.getRandomValues(a),
) {
  const limit = 256 - (256 % ALPHABET.length);
  let out = '';
  while (out.length < length) {
    for (const byte of random(new Uint8Array(length * 2))) {
      if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length];
    }
  }
  return out;
}
