import { subjects } from "@parley/sdk/protocol";
import { expect, it } from "vitest";
import { startNatsCluster } from "./harness/nats.js";

it("a 3-node cluster routes a service publish on one node to a WebSocket principal on another", async () => {
  await using cluster = await startNatsCluster(3);
  expect(cluster.nodes).toHaveLength(3);
  const { jwt } = await cluster.minter.mintPrincipal({ principalId: "c_cluster", kind: "customer", shopId: "s_1" });
  const [node0, , node2] = cluster.nodes;
  if (!node0 || !node2) throw new Error("cluster has fewer than 3 nodes");
  const client = await node0.wsConnect(jwt);
  const service = await node2.serviceConnection();
  try {
    const sub = client.subscribe(subjects.user("c_cluster"), { max: 1 });
    await client.flush();
    // Interest propagates over the routes asynchronously: publish until it arrives.
    const got = (async () => {
      for await (const m of sub) return new TextDecoder().decode(m.data);
      return undefined;
    })();
    const pump = setInterval(() => service.publish(subjects.user("c_cluster"), "across"), 50);
    try {
      expect(await got).toBe("across");
    } finally {
      clearInterval(pump);
    }
    // The two connections sit on different nodes, so the message crossed a route.
    expect(client.info?.server_id).not.toBe(service.info?.server_id);
  } finally {
    await client.close();
    await service.close();
  }
});
