-- A long-lived pandoc worker: one JSON request per line on stdin, one JSON answer per line.
-- {"parse": TEXT, "format": F}            -> {"doc": AST, "warnings": [LOG...]}
-- {"write": true, "formats": [...], "wrap": N}, then the AST as JSON on the next line
--                                          -> {"out": {FORMAT: TEXT}}
--   with "top": L, the headings shifted alike so that the highest is at level L (1 to 6)
-- The AST travels as pandoc's own JSON text, spliced in: never decoded into Lua tables.
local json = pandoc.json

local function parse(req)
  local logs, doc = pandoc.log.silence(pandoc.read, req.parse, req.format)
  local warnings = {}
  for _, m in ipairs(logs) do
    table.insert(warnings, json.decode(json.encode(m), false))
  end
  return '{"doc":' .. pandoc.write(doc, "json") .. ',"warnings":' .. json.encode(warnings) .. "}"
end

local function shifted(doc, top)
  local highest = nil
  doc:walk({Header = function(h) highest = math.min(highest or h.level, h.level) end})
  if highest == nil or highest == top then return doc end
  return doc:walk({Header = function(h)
    h.level = math.max(1, math.min(h.level + top - highest, 6))
    return h
  end})
end

-- Plain text shows a link's words only: its address follows them, in <>, unless the words
-- are the address (a reader of a digest's text part can follow it as the HTML part's reader can).
local function with_addresses(doc)
  return doc:walk({Link = function(link)
    local words = pandoc.utils.stringify(link.content)
    local target = link.target
    if target == "" or words == target or "mailto:" .. words == target then return nil end
    local out = link.content
    out:insert(pandoc.Space())
    out:insert(pandoc.Str("<" .. target .. ">"))
    return out
  end})
end

local function write(req, ast)
  local doc = pandoc.read(ast, "json")
  if req.top then doc = shifted(doc, req.top) end
  local out = {}
  for _, format in ipairs(req.formats) do
    local opts = {wrap_text = "none"}
    local shown = doc
    if format == "plain" then
      opts = {wrap_text = "auto", columns = req.wrap or 72}
      shown = with_addresses(doc)
    end
    out[format] = pandoc.write(shown, format, opts)
  end
  return json.encode({out = out})
end

local lines = io.lines()
for line in lines do
  local ok, answer = pcall(function()
    local req = json.decode(line, false)
    if req.parse ~= nil then return parse(req) end
    return write(req, lines())
  end)
  if not ok then answer = json.encode({error = tostring(answer)}) end
  io.write(answer, "\n")
  io.flush()
end
