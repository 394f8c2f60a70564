-- A long-lived pandoc worker: one JSON request per line on stdin, one JSON answer per line.
-- {"parse": TEXT, "format": F}            -> {"doc": AST, "warnings": [LOG...]}
-- {"write": AST-JSON-TEXT, "formats": [...], "wrap": N} -> {"out": {FORMAT: TEXT}}
local json = pandoc.json

local function parse(req)
  local logs, doc = pandoc.log.silence(pandoc.read, req.parse, req.format)
  local warnings = {}
  for _, m in ipairs(logs) do
    table.insert(warnings, json.decode(json.encode(m), false))
  end
  return {doc = json.decode(pandoc.write(doc, "json"), false), warnings = warnings}
end

local function write(req)
  local doc = pandoc.read(req.write, "json")
  local out = {}
  for _, format in ipairs(req.formats) do
    local opts = {wrap_text = "none"}
    if format == "plain" then
      opts = {wrap_text = "auto", columns = req.wrap or 72}
    end
    out[format] = pandoc.write(doc, format, opts)
  end
  return {out = out}
end

for line in io.lines() do
  local ok, answer = pcall(function()
    local req = json.decode(line, false)
    if req.parse ~= nil then return parse(req) end
    return write(req)
  end)
  if not ok then answer = {error = tostring(answer)} end
  io.write(json.encode(answer), "\n")
  io.flush()
end
