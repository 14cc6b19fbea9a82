-- Fairlead source-IP affinity (with LVS persistence granularity) for stock Envoy.
-- Writes the client's address, masked to the prefix lengths in the route's metadata, into
-- x-fairlead-client-subnet; the route hashes on that header. A client-sent value is always
-- removed first, so clients cannot choose their backend.
-- Which address is the client's comes from the metadata too: "peer" (sidecars) is the
-- connection's peer, downstreamDirectRemoteAddress(), never an X-Forwarded-For entry;
-- "derived" (gateways, with use_remote_address) is Envoy's downstreamRemoteAddress(): the peer,
-- the PROXY protocol source, or the entry that trusted balancers in front wrote.

local HEADER = "x-fairlead-client-subnet"

local function mask_v4(ip, bits)
  local a, b, c, d = ip:match("^(%d+)%.(%d+)%.(%d+)%.(%d+)$")
  if a == nil then
    return nil
  end
  local octets = { tonumber(a), tonumber(b), tonumber(c), tonumber(d) }
  local out = {}
  for i = 1, 4 do
    local keep = math.max(0, math.min(8, bits - (i - 1) * 8))
    local span = 2 ^ (8 - keep)
    out[i] = string.format("%d", octets[i] - octets[i] % span)
  end
  return table.concat(out, ".") .. "/" .. string.format("%d", bits)
end

local function expand_v6(ip)
  local groups = {}
  local function split(s, into)
    for g in s:gmatch("[^:]+") do
      into[#into + 1] = g
    end
  end
  local head, tail = ip:match("^(.-)::(.*)$")
  if head ~= nil then
    local h, t = {}, {}
    split(head, h)
    split(tail, t)
    for _, g in ipairs(h) do
      groups[#groups + 1] = g
    end
    for _ = 1, 8 - #h - #t do
      groups[#groups + 1] = "0"
    end
    for _, g in ipairs(t) do
      groups[#groups + 1] = g
    end
  else
    split(ip, groups)
  end
  if #groups ~= 8 then
    return nil
  end
  return groups
end

local function mask_v6(ip, bits)
  local groups = expand_v6(ip)
  if groups == nil then
    return nil
  end
  local out = {}
  for i = 1, 8 do
    local value = tonumber(groups[i], 16)
    if value == nil then
      return nil
    end
    local keep = math.max(0, math.min(16, bits - (i - 1) * 16))
    local span = 2 ^ (16 - keep)
    out[i] = string.format("%x", value - value % span)
  end
  return table.concat(out, ":") .. "/" .. string.format("%d", bits)
end

-- address is "ip:port" or "[ip]:port", as Envoy prints a downstream address. A full-length
-- prefix gives the address as Envoy prints it (addressAsString), so that hashing this header
-- hashes the same bytes as Envoy's own source_ip hashing (route and tcp_proxy): with
-- port-affinity, HTTP and TCP ports of one Service then pick the same pod for a client.
function fairlead_subnet(address, v4_bits, v6_bits)
  local v6 = address:match("^%[([^%]]+)%]")
  if v6 ~= nil then
    v6 = v6:gsub("%%.*$", "")
    local mapped = v6:match("^::[fF][fF][fF][fF]:(%d+%.%d+%.%d+%.%d+)$")
    if mapped ~= nil and v4_bits < 32 then
      return mask_v4(mapped, v4_bits)
    end
    if mapped ~= nil or v6_bits >= 128 then
      return v6
    end
    return mask_v6(v6, v6_bits)
  end
  local v4 = address:match("^([%d%.]+):%d+$") or address
  if v4_bits >= 32 then
    return v4:match("^%d+%.%d+%.%d+%.%d+$")
  end
  return mask_v4(v4, v4_bits)
end

function envoy_on_request(handle)
  handle:headers():remove(HEADER)
  local meta = handle:metadata()
  local v4_bits = meta:get("source_ip_prefix_v4")
  if v4_bits == nil then
    return
  end
  local v6_bits = meta:get("source_ip_prefix_v6") or 128
  local info = handle:streamInfo()
  local address
  if meta:get("client_address") == "peer" then
    address = info:downstreamDirectRemoteAddress()
  else
    address = info:downstreamRemoteAddress()
  end
  local subnet = fairlead_subnet(address, v4_bits, v6_bits)
  if subnet ~= nil then
    handle:headers():add(HEADER, subnet)
  end
end
