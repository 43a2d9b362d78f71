// A minimal anywidget model: traits, change events, custom messages (both directions).
export function fakeModel(traits = {}, onSend = () => {}) {
  const values = { error: "", busy: false, ...traits };
  const handlers = {};
  const model = {
    sent: [],
    get: (k) => values[k],
    set: (k, v) => {
      values[k] = v;
      (handlers[`change:${k}`] || []).forEach((f) => f());
    },
    save_changes: () => {},
    on: (e, f) => (handlers[e] = [...(handlers[e] || []), f]),
    off: (e, f) => (handlers[e] = (handlers[e] || []).filter((g) => g !== f)),
    send: (content, _cb, buffers = []) => {
      model.sent.push({ content, buffers });
      onSend(content, buffers, (reply) => queueMicrotask(() => (handlers["msg:custom"] || []).forEach((f) => f(reply))));
    },
  };
  return model;
}
