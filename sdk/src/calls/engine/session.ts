/**
 * One call of this device, from start or accept to its end: the board watch
 * (ringing, who is in it, who left), the mesh of {@link PeerLink}s, the signed
 * offers and answers (checked before any is applied: a participant's device,
 * fingerprint lines equal to the signed field; once connected, the peer's
 * certificate too), the media states, the quality sampling and the drop rule.
 */

import type { ReceivedLive } from "../../client/live-channel.js";
import { ParleyError } from "../../errors.js";
import { DROP_AFTER_MS, type LiveCallDescription } from "../../protocol/calls/wire.js";
import type { ActiveCall, CallEndReason, CallParticipant, CallRecord, CallRefusal } from "../api.js";
import type { CallEngineHost } from "../engine-api.js";
import { fingerprintMatches, parseLiveCall } from "../schemas.js";
import { waitForRecord } from "./board-wait.js";
import { certificateMatches } from "./fingerprint.js";
import type { LocalMedia } from "./local-media.js";
import { inCall, offerTargets, participantOf, postsDropLeave, refusedBy } from "./mesh.js";
import { type MediaState, PeerLink, remotePeers } from "./peer.js";
import { SignalSender } from "./signal-sender.js";

/** How often quality is sampled and the drop rule applied, ms. */
export const SAMPLE_MS = 2_000;
/** How long an offer waits for its answer before it is made again, ms. */
export const ANSWER_WAIT_MS = 8_000;
/** How long a connected peer's certificate may be missing from the stats before that counts as a mismatch, ms. */
export const CERTIFICATE_WAIT_MS = 5_000;
/** The most offers to one device in a row without an answer. */
export const MAX_OFFERS = 3;

/** What a session is made with. */
export interface SessionInit {
  /** The conversation. */
  convId: string;
  /** The call (msgId of its `call` message). */
  id: string;
  /** Voice, or voice and video. */
  media: ActiveCall["media"];
  /** Whether this device started it. */
  outgoing: boolean;
  /** This device's media. */
  local: LocalMedia;
  /** The ring window, ms (RING_MS, or the host's test override). */
  ringMs: number;
  /** Called with every new state of the call. */
  publish(call: ActiveCall): void;
}

/** One call of this device. */
export class CallSession {
  readonly convId: string;
  readonly id: string;
  #phase: ActiveCall["phase"];
  #ended = false;
  #endReason: CallEndReason | undefined;
  #refusal: ActiveCall["refusal"];
  #connectedAt: number | undefined;
  /** Whether this device's join (or its call) is on the board. */
  #onBoard = false;
  /** Whether anyone else was ever in the call with this device. */
  #company = false;
  /** Set when every connection went down for DROP_AFTER_MS: the call ends `failed`. */
  #failing = false;
  readonly #links = new Map<string, PeerLink>();
  readonly #media = new Map<string, MediaState>();
  readonly #iceServers: Promise<RTCIceServer[]>;
  readonly #cleanups: (() => void)[] = [];
  #queue: Promise<void> = Promise.resolve();
  readonly #out: SignalSender;
  /** The members a ringing call rang (but the caller), once asked. */
  #rung: Promise<readonly string[]> | undefined;

  constructor(
    private readonly host: CallEngineHost,
    private readonly o: SessionInit,
  ) {
    this.convId = o.convId;
    this.id = o.id;
    this.#phase = o.outgoing ? "ringing" : "connecting";
    this.#out = new SignalSender(host.live, o.convId, { over: () => this.#ended, report: (err) => host.report(err) });
    this.#iceServers = host.iceServers().then(
      (servers) => servers.map((s) => ({ ...s })),
      (err) => {
        host.report(err);
        return [];
      },
    );
    this.#iceServers.catch(() => {});
    o.local.onScreenEnded = () => void this.mediaChanged();
  }

  /** Follows the board (ringing, joins, leaves), samples the links, and rings until `ringMs` for an outgoing call. */
  begin(): void {
    const { host, o } = this;
    const board = host.board(o.convId);
    this.#cleanups.push(board.subscribe((next) => this.#boardChanged(next.calls.get(o.id))));
    const tick = setInterval(() => void this.#tick().catch((err) => host.report(err)), SAMPLE_MS);
    this.#cleanups.push(() => clearInterval(tick));
    if (o.outgoing) {
      const ring = setTimeout(() => {
        if (this.#phase === "ringing") void this.end("no_answer", true);
      }, o.ringMs);
      this.#cleanups.push(() => clearTimeout(ring));
    }
  }

  /** Whether the call has ended. */
  get ended(): boolean {
    return this.#ended;
  }

  /** The call as `current` shows it. */
  snapshot(): ActiveCall {
    const { local } = this.o;
    const peers = remotePeers(this.#links.values(), this.#media, {
      video: this.o.media === "video",
      ended: this.#ended,
    });
    return {
      id: this.id,
      convId: this.convId,
      media: this.o.media,
      outgoing: this.o.outgoing,
      phase: this.#phase,
      local: local.stream,
      muted: local.muted,
      camera: local.camera,
      screen: local.screen,
      peers,
      ...(this.#connectedAt === undefined ? {} : { connectedAt: this.#connectedAt }),
      ...(this.#endReason === undefined ? {} : { endReason: this.#endReason }),
      ...(this.#refusal === undefined ? {} : { refusal: this.#refusal }),
    };
  }

  /** After this device's join is stored: offers to every device that was in the call before it. */
  async connect(): Promise<void> {
    const record = await this.#waitRecord((r) => offerTargets(r, this.host.deviceId) !== undefined);
    if (this.#ended) return;
    const current = this.host.board(this.convId).value.calls.get(this.id);
    const targets = record
      ? (offerTargets(record, this.host.deviceId) ?? [])
      : current
        ? inCall(current).filter((p) => p.device !== this.host.deviceId)
        : [];
    await Promise.all(targets.map((p) => this.#offer(p).catch((err) => this.host.report(err))));
  }

  /** A call live signal of this conversation (the engine checked `kind`). */
  signal(s: ReceivedLive): void {
    if (this.#ended || s.convId !== this.convId || (s.live as { call?: unknown }).call !== this.id) return;
    const live = parseLiveCall(s.live);
    if (!live) {
      this.host.report(new Error(`a call signal from ${s.sender} breaks its schema`));
      return;
    }
    if (live.op === "media") {
      const { audio, video, screen } = live;
      this.#media.set(s.senderDevice, { audio, video, screen });
      this.#publish();
      return;
    }
    if (live.to !== this.host.deviceId) return;
    this.#queue = this.#queue.then(() => this.#description(s, live)).catch((err) => this.host.report(err));
  }

  /** A live signal from `sender` that did not open or verify: refuses the call while it is setting up. */
  unverified(sender: string): void {
    if (this.#ended) return;
    const links = [...this.#links.values()].filter((l) => l.principalId === sender);
    const record = this.host.board(this.convId).value.calls.get(this.id);
    const joinedUnlinked = record
      ? inCall(record).some(
          (p) => p.principalId === sender && !this.#links.has(p.device) && p.device !== this.host.deviceId,
        )
      : false;
    if (this.#phase !== "connected" || joinedUnlinked || links.some((l) => !l.connected)) {
      this.#refuse("unsigned", sender);
    }
  }

  /** This device's media changed: every sender sends the new tracks, then the others hear of it. */
  async mediaChanged(): Promise<void> {
    const tracks = this.#tracks();
    this.#publish();
    await Promise.all(
      [...this.#links.values()].map((link) => link.setTracks(tracks).catch((err) => this.host.report(err))),
    );
    // The others hear of it once the senders send it.
    this.#sendMedia();
  }

  /** Ends the call: stops every local track, closes every connection; posts `leave` when `post`. */
  async end(reason: CallEndReason, post: boolean, refusal?: { check: CallRefusal; sender: string }): Promise<void> {
    if (this.#ended) return;
    this.#ended = true;
    this.#phase = "ended";
    this.#endReason = reason;
    this.#refusal = refusal;
    for (const cleanup of this.#cleanups.splice(0)) cleanup();
    for (const link of this.#links.values()) link.close();
    this.o.local.stop();
    this.#publish();
    if (!post) return;
    try {
      await this.host.send(this.convId, {
        type: "call-event",
        event: { call: this.id, op: "leave", at: Math.round(this.host.now()) },
      });
    } catch (err) {
      this.host.report(err);
    }
  }

  #publish(): void {
    this.o.publish(this.snapshot());
  }

  #tracks(): { audio?: MediaStreamTrack; video?: MediaStreamTrack } {
    const { audioTrack, videoTrack } = this.o.local;
    return { ...(audioTrack ? { audio: audioTrack } : {}), ...(videoTrack ? { video: videoTrack } : {}) };
  }

  /** Queues this device's media state for the others (coalesced; read when its turn comes). */
  #sendMedia(): void {
    if (this.#ended) return;
    this.#out.media(() => {
      const { local } = this.o;
      return {
        kind: "call",
        call: this.id,
        op: "media",
        audio: !local.muted && local.audioTrack !== undefined,
        video: local.camera,
        screen: local.screen,
      };
    });
  }

  /** Whether this device's media differs from what a peer assumes before its first media signal. */
  #unusualMedia(): boolean {
    const { local } = this.o;
    return local.muted || local.screen || local.camera !== (this.o.media === "video");
  }

  #refuse(check: CallRefusal, sender: string): void {
    this.host.report(new ParleyError("call_refused", `call ${this.id} refused: ${check} (from ${sender})`));
    void this.end("refused", true, { check, sender });
  }

  /** The board changed: ringing, joins, leaves, the end. */
  #boardChanged(record: CallRecord | undefined): void {
    if (this.#ended || !record) return;
    const self = this.host.deviceId;
    const mine = record.participants.find((p) => p.device === self);
    if (mine && mine.leftAt === undefined) this.#onBoard = true;
    const others = inCall(record).filter((p) => p.device !== self);
    if (others.length > 0) this.#company = true;
    if (this.#phase === "ringing") {
      if (record.state === "ended") void this.end("no_answer", false);
      else if (others.length > 0) {
        this.#phase = "connecting";
        this.#publish();
      } else if (record.declined.length + record.busy.length > 0) void this.#refusedBy(record);
      return;
    }
    // Left for this device by another (its connection dropped), or the call is over.
    if (this.#onBoard && mine?.leftAt !== undefined) return void this.end("failed", false);
    if (record.state === "ended") return void this.end("ended", false);
    for (const [device, link] of this.#links) {
      if (others.some((p) => p.device === device)) continue;
      link.close();
      this.#links.delete(device);
    }
    if (this.#company && others.length === 0) return void this.end(this.#failing ? "failed" : "ended", true);
    this.#publish();
  }

  /** Ends a ringing call as declined or busy once everyone it rang said so. */
  async #refusedBy(record: CallRecord): Promise<void> {
    const { members } = this.host;
    this.#rung ??= members
      ? members(this.convId).then(
          (list) => list.filter((id) => id !== this.host.self),
          () => [],
        )
      : Promise.resolve([]);
    const outcome = refusedBy(record, await this.#rung);
    if (outcome && this.#phase === "ringing") await this.end(outcome, true);
  }

  /** The record once `test` holds for it (see {@link waitForRecord}). */
  #waitRecord(test: (record: CallRecord) => boolean): Promise<CallRecord | undefined> {
    return waitForRecord(this.host.board(this.convId), this.id, { test, over: () => this.#ended });
  }

  async #link(p: Pick<CallParticipant, "device" | "principalId">): Promise<PeerLink> {
    const servers = await this.#iceServers;
    this.#links.get(p.device)?.close();
    const link: PeerLink = new PeerLink(p, servers, { changed: () => this.#linkChanged(link) });
    this.#links.set(p.device, link);
    this.#publish();
    return link;
  }

  /** Offers to a device; offers again (a new connection) when no answer came within ANSWER_WAIT_MS, MAX_OFFERS in all. */
  async #offer(p: CallParticipant, attempt = 1): Promise<void> {
    const link = await this.#link(p);
    if (this.#ended) return link.close();
    const { sdp, fingerprint } = await link.offer(this.#tracks());
    if (this.#ended || this.#links.get(p.device) !== link) return;
    const offer: LiveCallDescription = { kind: "call", call: this.id, op: "offer", to: p.device, sdp, fingerprint };
    await this.#out.send(offer);
    if (attempt >= MAX_OFFERS) return;
    // A signal can be lost (the relay, a receiver that could not open it yet): no answer, no connection.
    const retry = setTimeout(() => {
      const record = this.host.board(this.convId).value.calls.get(this.id);
      if (this.#ended || this.#links.get(p.device) !== link || !link.awaitingAnswer) return;
      if (!record || !participantOf(record, p.principalId, p.device)) return;
      void this.#offer(p, attempt + 1).catch((err) => this.host.report(err));
    }, ANSWER_WAIT_MS);
    this.#cleanups.push(() => clearTimeout(retry));
  }

  async #description(s: ReceivedLive, live: LiveCallDescription): Promise<void> {
    if (this.#ended) return;
    const device = s.senderDevice;
    const record = await this.#waitRecord((r) => participantOf(r, s.sender, device) !== undefined);
    if (this.#ended) return;
    if (!record) return this.#refuse("not_participant", s.sender);
    if (!fingerprintMatches(live.sdp, live.fingerprint)) return this.#refuse("fingerprint_mismatch", s.sender);
    if (live.op === "answer") {
      const link = this.#links.get(device);
      if (!link?.awaitingAnswer) return;
      link.signedFingerprint = live.fingerprint;
      await link.accept(live.sdp);
      return;
    }
    const link = await this.#link({ device, principalId: s.sender });
    if (this.#ended) return link.close();
    link.signedFingerprint = live.fingerprint;
    const { sdp, fingerprint } = await link.answer(live.sdp, this.#tracks());
    if (this.#ended || this.#links.get(device) !== link) return;
    const answer: LiveCallDescription = { kind: "call", call: this.id, op: "answer", to: device, sdp, fingerprint };
    await this.#out.send(answer);
  }

  #linkChanged(link: PeerLink): void {
    if (this.#ended || this.#links.get(link.device) !== link) return;
    if (link.connected && !link.certificateChecked) {
      link.certificateChecked = true;
      void this.#checkCertificate(link).catch((err) => this.host.report(err));
      if (this.#phase !== "connected") {
        this.#phase = "connected";
        this.#connectedAt ??= Date.now();
      }
      // A peer assumes the microphone on and the camera as the call's media until told otherwise.
      if (this.#unusualMedia()) this.#sendMedia();
    }
    this.#publish();
  }

  /** Once connected: the certificate the peer showed must be the one its signed description named. */
  async #checkCertificate(link: PeerLink): Promise<void> {
    let stats = await link.sample();
    // Right at "connected" a busy browser may not list the peer's certificate in its stats yet: look
    // again for up to CERTIFICATE_WAIT_MS before calling its absence a mismatch.
    for (let waited = 0; !stats.remoteCertificate && waited < CERTIFICATE_WAIT_MS && !this.#ended; waited += 250) {
      await new Promise((r) => setTimeout(r, 250));
      stats = await link.sample();
    }
    if (this.#ended) return;
    const signed = link.signedFingerprint;
    if (!signed || !stats.remoteCertificate || !certificateMatches(stats.remoteCertificate, signed)) {
      this.#refuse("certificate_mismatch", link.principalId);
    }
  }

  /** Every SAMPLE_MS: quality, and the drop rule for connections down DROP_AFTER_MS. */
  async #tick(): Promise<void> {
    const links = [...this.#links.values()];
    await Promise.all(links.map((l) => l.sample().catch(() => undefined)));
    if (this.#ended) return;
    const now = Date.now();
    const down = links.filter((l) => l.troubleSince !== undefined && now - l.troubleSince >= DROP_AFTER_MS);
    if (down.length === 0) return this.#publish();
    // Every connection down: this device leaves for them first (a leave for another needs its sender in the call).
    this.#failing = down.length === this.#links.size;
    const record = this.host.board(this.convId).value.calls.get(this.id);
    const downDevices = new Set(down.map((l) => l.device));
    const survivors = record
      ? inCall(record)
          .map((p) => p.device)
          .filter((d) => !downDevices.has(d))
      : [];
    for (const link of down) {
      link.close();
      this.#links.delete(link.device);
      if (!postsDropLeave(this.host.deviceId, survivors)) continue;
      const event = { call: this.id, op: "leave", at: Math.round(this.host.now()), device: link.device };
      await this.host.send(this.convId, { type: "call-event", event }).catch((err) => this.host.report(err));
    }
    if (this.#failing) return this.end("failed", true);
    this.#publish();
  }
}
