// What the tests know about the server the global setup started.
import { execFileSync } from "node:child_process";

export const apiUrl = (): string => process.env.CRW_API_URL!;
export const demoUrl = (): string => process.env.CRW_DEMO_URL!;

export interface StoredRequest {
  id: string;
  name: string;
  status: string;
  request_reason: string | null;
  preferred_channel: string;
  preferred_phone: string | null;
  request_description: string | null;
  visitor_name: string | null;
  visitor_email: string | null;
  is_callback: boolean;
  source_origin: string | null;
  /** The site the request came through. */
  site_key: string;
  /** The signed-in visitor's verified `sub`, or null for a guest. */
  visitor_sub: string | null;
  /** When the request becomes routable (the visitor's chosen callback time), in UTC; null for at once. */
  scheduled_routing_at: string | null;
  /** The call center that calls back. */
  call_center_id: string | null;
}

/** Reads a stored request from the server's database with the server's own CLI. */
export function storedRequest(key: string): StoredRequest {
  const out = execFileSync(process.env.CRW_SERVER_BIN!, ["requests", "show", key, "--database", process.env.CRW_DATABASE!], {
    env: { ...process.env, RUST_LOG: "error" },
  });
  return JSON.parse(out.toString());
}
