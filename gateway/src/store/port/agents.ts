/** Agents: a shop's dashboard logins, each tied to a principal. */

export interface AgentRecord {
  shopId: string;
  login: string;
  principalId: string;
  /** Argon2id PHC string. */
  passwordHash: string;
  role: "admin" | "agent";
}

export interface AgentStore {
  putAgent(agent: AgentRecord): Promise<void>;
  getAgent(shopId: string, login: string): Promise<AgentRecord | undefined>;
  /** Deletes an agent login; resolves true when there was one. The principal and its data stay. */
  removeAgent(shopId: string, login: string): Promise<boolean>;
}
