-- Cases for subnet-affinity.lua, run by SubnetAffinityLuaTest in LuaJ and, where it is installed,
-- in LuaJIT, the interpreter Envoy embeds. Load the script first; run_cases() returns the number
-- of checks that passed and a list of failure messages. Written for Lua 5.1 (LuaJIT) and 5.2.

local HEADER = "x-fairlead-client-subnet"

-- A stand-in for Envoy's request handle: headers(), metadata() and streamInfo().
local function handle(headers, metadata, remote, direct)
  local h = {}
  function h:headers()
    return {
      remove = function(_, name) headers[name] = nil end,
      add = function(_, name, value) headers[name] = value end,
    }
  end
  function h:metadata()
    return { get = function(_, key) return metadata[key] end }
  end
  function h:streamInfo()
    return {
      downstreamRemoteAddress = function() return remote end,
      downstreamDirectRemoteAddress = function() return direct end,
    }
  end
  return h
end

function run_cases()
  local passed, failures = 0, {}
  local function check(name, got, want)
    if got == want then
      passed = passed + 1
    else
      failures[#failures + 1] = name .. ": got " .. tostring(got) .. ", want " .. tostring(want)
    end
  end

  local masks = {
    { "192.168.17.200:5555", 24, 64, "192.168.17.0/24" },
    { "192.168.17.200:5555", 16, 64, "192.168.0.0/16" },
    { "192.168.17.200:5555", 20, 64, "192.168.16.0/20" },
    { "192.168.17.200:5555", 32, 128, "192.168.17.200" },
    { "[2001:db8::1]:443", 24, 128, "2001:db8::1" },
    { "[::ffff:10.1.2.3]:80", 32, 64, "::ffff:10.1.2.3" },
    { "not-an-address", 32, 128, nil },
    { "192.168.17.200:5555", 0, 0, "0.0.0.0/0" },
    { "[2001:db8:1:2:3:4:5:6]:443", 24, 64, "2001:db8:1:2:0:0:0:0/64" },
    { "[2001:db8::1]:443", 24, 48, "2001:db8:0:0:0:0:0:0/48" },
    { "[2001:db8:abcd:12ff::1]:443", 24, 56, "2001:db8:abcd:1200:0:0:0:0/56" },
    { "[::ffff:10.1.2.3]:80", 8, 64, "10.0.0.0/8" },
    { "[fe80::1%eth0]:80", 24, 16, "fe80:0:0:0:0:0:0:0/16" },
  }
  for _, m in ipairs(masks) do
    check("mask " .. m[1] .. " /" .. m[2] .. " /" .. m[3], fairlead_subnet(m[1], m[2], m[3]), m[4])
  end
  check("one subnet, one key", fairlead_subnet("10.1.2.3:1000", 24, 64), fairlead_subnet("10.1.2.250:2000", 24, 64))
  check("other subnet, other key", fairlead_subnet("10.1.2.3:1000", 24, 64) ~= fairlead_subnet("10.1.3.3:1000", 24, 64), true)

  -- Metadata numbers reach Lua as floats, as Envoy hands them over.
  local headers = { [HEADER] = "spoofed" }
  envoy_on_request(handle(headers, { source_ip_prefix_v4 = 24.0, source_ip_prefix_v6 = 64.0 }, "172.16.5.9:40000", "172.16.5.9:40000"))
  check("a client-sent header is overwritten", headers[HEADER], "172.16.5.0/24")

  headers = { [HEADER] = "spoofed" }
  envoy_on_request(handle(headers, {}, "172.16.5.9:40000", "172.16.5.9:40000"))
  check("a client-sent header is removed on routes without subnets", headers[HEADER], nil)

  -- Sidecar: the stream's remote address may come from X-Forwarded-For; only the peer counts.
  headers = {}
  envoy_on_request(handle(headers, { source_ip_prefix_v4 = 32.0, source_ip_prefix_v6 = 128.0, client_address = "peer" },
    "203.0.113.7:0", "10.8.0.15:41000"))
  check("peer: the connection's address, not X-Forwarded-For", headers[HEADER], "10.8.0.15")

  -- Gateway: Envoy's derived address (PROXY protocol or trusted hops) is the client's.
  headers = {}
  envoy_on_request(handle(headers, { source_ip_prefix_v4 = 24.0, source_ip_prefix_v6 = 64.0, client_address = "derived" },
    "198.51.100.23:0", "10.0.0.2:50000"))
  check("derived: Envoy's downstream remote address", headers[HEADER], "198.51.100.0/24")

  headers = {}
  envoy_on_request(handle(headers, { source_ip_prefix_v4 = 24.0 }, "[2001:db8:aa:bb::9]:443", "10.0.0.2:1"))
  check("v6 prefix defaults to the whole address", headers[HEADER], "2001:db8:aa:bb::9")

  return passed, failures
end
