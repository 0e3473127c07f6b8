// Loaded with a query string and a fragment (`?token=…#…`): what capture records of this error
// must carry neither, and an email in its message is one of the app's `redact` patterns.
throw new Error('could not save for ana.lima@example.com: https://api.recoloca.ai/v1/cv?key=k-123');
