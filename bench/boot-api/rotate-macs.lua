-- wrk script: GET /v1/boot/<mac>/boot.ipxe, rotating over the MACs in $MACS_FILE.
local macs = {}
for line in io.lines(os.getenv("MACS_FILE")) do macs[#macs + 1] = line end
local counter = 0
local offset = 0
function init(args)
  offset = math.random(#macs)
end
function request()
  counter = counter + 1
  return wrk.format("GET", "/v1/boot/" .. macs[((counter + offset) % #macs) + 1] .. "/boot.ipxe")
end
