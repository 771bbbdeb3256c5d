/** Token ids: customer token `jti`s seen, so a token is used once. */

export interface TokenIdStore {
  /**
   * Records a token id as used until `expiresAt` (ms). Resolves true the first
   * time, false on every later call with the same (issuer, jti): replay.
   */
  consumeTokenId(issuer: string, jti: string, expiresAt: number): Promise<boolean>;
}
