/**
 * The shop page: a header whose chat button shows the connection and the
 * unread count (`useParley` over the SDK client's state), and the chat itself
 * (`<ParleyChat>`, the widget's `<parley-chat>` element) in a side panel.
 */
import { ParleyChat, useParley } from "@parley/react";
import { createClient, type ParleyClient } from "@parley/sdk";
import { useEffect, useState } from "react";

interface AppProps {
  gatewayUrl: string;
  shopId: string;
  locale: string;
}

const LABELS = {
  en: {
    title: "Acme Café",
    chat: "Chat with us",
    states: {
      idle: "not connected",
      connecting: "connecting",
      connected: "online",
      reconnecting: "reconnecting",
      closed: "closed",
    },
  },
  de: {
    title: "Acme Café",
    chat: "Schreiben Sie uns",
    states: {
      idle: "nicht verbunden",
      connecting: "verbinde",
      connected: "online",
      reconnecting: "verbinde erneut",
      closed: "beendet",
    },
  },
} satisfies Record<string, { title: string; chat: string; states: Record<string, string> }>;

export function App({ gatewayUrl, shopId, locale }: AppProps) {
  // One client per page; closed when the page (or StrictMode's trial mount) lets go of it.
  const [client, setClient] = useState<ParleyClient>();
  useEffect(() => {
    const made = createClient({
      gatewayUrl,
      auth: { kind: "guest", shopId, displayName: "React shopper" },
      encryption: true,
    });
    setClient(made);
    return () => {
      void made.close();
    };
  }, [gatewayUrl, shopId]);
  const parley = useParley(client);
  const [unread, setUnread] = useState(0);
  const [open, setOpen] = useState(true);
  const labels = locale === "de" ? LABELS.de : LABELS.en;
  const state = parley?.status.state ?? "idle";

  return (
    <div className="page">
      <header>
        <h1>{labels.title}</h1>
        <button type="button" aria-expanded={open} onClick={() => setOpen((o) => !o)}>
          {labels.chat}
          {unread > 0 ? <span className="badge">{unread}</span> : null}
        </button>
        <span className="status" data-state={state}>
          {labels.states[state]}
        </span>
      </header>
      <main>
        <p>Fresh coffee, sandwiches and a lunch menu every weekday.</p>
      </main>
      {client ? (
        <aside hidden={!open}>
          <ParleyChat
            client={client}
            locale={locale}
            shopName="Acme Café"
            onUnread={(e) => setUnread(e.detail.count)}
            onClose={() => setOpen(false)}
          />
        </aside>
      ) : null}
    </div>
  );
}
