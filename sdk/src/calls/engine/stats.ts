/**
 * What the engine reads from `RTCPeerConnection.getStats()`: the selected
 * candidate pair's round-trip time, the inbound streams' packet counts, and
 * the certificate the peer showed in the DTLS handshake. Takes the report as
 * the map of plain records it is, so Node tests can hand it one.
 */

/** The parts of a stats report the engine reads. */
export interface LinkStats {
  /** Round-trip time of the selected candidate pair, seconds. */
  rtt?: number;
  /** Packets lost, all inbound RTP streams, since the connection started. */
  packetsLost: number;
  /** Packets received, all inbound RTP streams. */
  packetsReceived: number;
  /** Bytes received, all inbound RTP streams. */
  bytesReceived: number;
  /** Video frames decoded. */
  framesDecoded: number;
  /** The peer's DTLS certificate, once the transport has one. */
  remoteCertificate?: { fingerprintAlgorithm?: string; fingerprint?: string };
}

/** A stats report as `getStats` resolves it: records by id. */
export type StatsReport = ReadonlyMap<string, Record<string, unknown>>;

const num = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) ? value : 0);

/** Reads a stats report. */
export function readStats(report: StatsReport): LinkStats {
  const out: LinkStats = { packetsLost: 0, packetsReceived: 0, bytesReceived: 0, framesDecoded: 0 };
  let transport: Record<string, unknown> | undefined;
  for (const stat of report.values()) {
    if (stat.type === "transport" && (transport === undefined || stat.dtlsState === "connected")) transport = stat;
    if (stat.type === "inbound-rtp") {
      out.packetsLost += Math.max(0, num(stat.packetsLost));
      out.packetsReceived += num(stat.packetsReceived);
      out.bytesReceived += num(stat.bytesReceived);
      out.framesDecoded += num(stat.framesDecoded);
    }
  }
  const pairId = transport?.selectedCandidatePairId;
  let pair = typeof pairId === "string" ? report.get(pairId) : undefined;
  // Without a transport's word (older engines), the nominated pair that succeeded.
  pair ??= [...report.values()].find((s) => s.type === "candidate-pair" && s.nominated && s.state === "succeeded");
  if (pair && typeof pair.currentRoundTripTime === "number") out.rtt = pair.currentRoundTripTime;
  const certId = transport?.remoteCertificateId;
  const cert = typeof certId === "string" ? report.get(certId) : undefined;
  if (cert) {
    out.remoteCertificate = {
      fingerprintAlgorithm: String(cert.fingerprintAlgorithm ?? ""),
      fingerprint: String(cert.fingerprint ?? ""),
    };
  }
  return out;
}
