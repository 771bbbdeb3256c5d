import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app.js";

const params = new URLSearchParams(location.search);
const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App
      gatewayUrl={params.get("gateway") ?? "http://127.0.0.1:8080"}
      shopId={params.get("shop") ?? "demo_shop"}
      locale={params.get("locale") ?? "en"}
    />
  </StrictMode>,
);
