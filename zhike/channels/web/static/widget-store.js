/* zhike (智客) web chat widget: the conversation it keeps in localStorage.
 *
 * Bundled into /webhooks/socketio/widget.js before widget.js (see zhike/channels/web/assets.py).
 * A record is {v, owner, sessionId, sessionToken, open, messages, cursor}; `sessionToken`
 * is the server's proof that lets this browser continue `sessionId`; `cursor` is the
 * timestamp of the newest bot message shown, where the server's catch-up (zhike_sync)
 * starts.
 */
var zhikeStore = (function () {
  "use strict";

  var STORAGE_VERSION = 1;
  var MAX_STORED = 200;

  function storage() {
    try {
      var probe = "zhike-chat-probe";
      window.localStorage.setItem(probe, "1");
      window.localStorage.removeItem(probe);
      return window.localStorage;
    } catch (e) {
      return null; // storage disabled: history lasts as long as the page
    }
  }

  // Whose conversation this is, for keeping transcripts apart on a shared browser: the
  // token's (unverified) subject. Only the server's verification of the token counts.
  function ownerOf(token) {
    if (!token) return "";
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var sub = JSON.parse(atob(part)).sub;
      return typeof sub === "string" ? sub : "?";
    } catch (e) {
      return "?";
    }
  }

  // The saved record of `token`'s customer under `key`, or a fresh one.
  function load(store, key, token) {
    var owner = ownerOf(token);
    var fresh = {
      v: STORAGE_VERSION,
      owner: owner,
      sessionId: null,
      sessionToken: null,
      open: false,
      messages: [],
      cursor: null,
    };
    if (!store) return fresh;
    try {
      var saved = JSON.parse(store.getItem(key) || "null");
      if (saved && saved.v === STORAGE_VERSION && saved.owner === owner && saved.messages) {
        // Written by a widget without catch-up: what it showed is unknown, so the first
        // catch-up only sets the cursor instead of showing the conversation again.
        if (!("cursor" in saved)) saved.cursor = saved.messages.length ? "adopt" : null;
        return saved;
      }
    } catch (e) {
      /* unreadable: start afresh */
    }
    store.removeItem(key); // another customer's (or no) conversation
    return fresh;
  }

  function save(store, key, record) {
    if (!store) return;
    record.messages = record.messages.slice(-MAX_STORED);
    try {
      store.setItem(key, JSON.stringify(record));
    } catch (e) {
      /* quota exceeded: keep going without saving */
    }
  }

  // The stable key of a bot message from the server ("" for one without).
  function keyOf(data) {
    return typeof data.zhike_key === "string" ? data.zhike_key : "";
  }

  function seen(record, key) {
    if (!key) return false;
    return record.messages.some(function (message) {
      return message.key === key;
    });
  }

  function advanceCursor(record, data) {
    var timestamp = data.zhike_ts;
    if (typeof timestamp !== "number" || !isFinite(timestamp)) return;
    var cursor = record.cursor;
    if (typeof cursor !== "number" || timestamp > cursor) record.cursor = timestamp;
  }

  return {
    storage: storage,
    ownerOf: ownerOf,
    load: load,
    save: save,
    keyOf: keyOf,
    seen: seen,
    advanceCursor: advanceCursor,
  };
})();
