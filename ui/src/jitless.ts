// Imported first, before any Zod schema exists: Zod's JIT probes for eval
// with `new Function("")` when a schema is made, which a host's CSP (the spec's
// default forbids eval) reports as a violation even though Zod catches it.
// ext-apps turns the JIT off too, but only when App is constructed, after its
// and the SDK's schemas were made.
import * as z from "zod/v4";

z.config({ jitless: true });
