// The storefront's own script: shows who is logged in and, for a logged-in
// shopper, fetches a customer token from the shop backend and hands it to
// the widget. Guests chat anonymously (where the shop allows guests).
const Parley = window.Parley;
const events = document.getElementById("widget-events");
const show = (text) => {
  events.textContent = text;
};

// Optional look and feel: ?mode=dark, ?position=left, ?lang=de (handy for screenshots).
const params = new URLSearchParams(location.search);
const mode = params.get("mode");
if (mode === "dark" || mode === "light") document.documentElement.dataset.mode = mode;
Parley("theme", {
  brand: "#7a3e12",
  radius: 14,
  position: params.get("position") === "left" ? "left" : "right",
  mode: mode === "dark" || mode === "light" ? mode : "auto",
});
if (params.get("lang")) Parley("locale", params.get("lang"));
// Logging in and out posts to the shop backend, which redirects back to "/": the options above
// go along in the forms' action, so the widget stays in the chosen language after the redirect.
const carried = new URLSearchParams([...params].filter(([key]) => ["lang", "mode", "position"].includes(key)));
if (carried.size > 0) {
  for (const form of document.querySelectorAll("#login, #logout"))
    form.action = `${form.getAttribute("action")}?${carried}`;
}

// Everything the storefront hears: counts and metadata, never message text.
Parley("on", "unread", ({ count }) => show(`${count} unread`));
Parley("on", "message", ({ from, ts }) => show(`a message from the ${from} at ${new Date(ts).toLocaleTimeString()}`));

// `null` when nobody is logged in. The body is read whatever the status: Chromium counts a response whose
// body nobody reads as still loading (Lighthouse then waits for it until it times out).
const me = await fetch("/me", { credentials: "same-origin" }).then(async (r) => {
  const body = await r.json().catch(() => null);
  return r.ok ? body : null;
});
if (me) {
  document.getElementById("login").hidden = true;
  document.getElementById("logout").hidden = false;
  document.getElementById("who").textContent = `Hello, ${me.name}`;
  // The key backup secret (when the shop hands one out) lets this browser read the history the
  // shopper's other browsers could; it stays in the chat frame and never reaches the gateway.
  const { token, keyBackupSecret } = await fetch("/parley-token", { credentials: "same-origin" }).then((r) => r.json());
  Parley("identify", keyBackupSecret ? { token, keyBackupSecret } : { token });
}
// Logging out of the shop also ends the chat session on this device: wait for the wipe, then log out.
const logout = document.getElementById("logout");
logout.addEventListener("submit", async (event) => {
  event.preventDefault();
  await Parley("shutdown");
  logout.submit();
});
