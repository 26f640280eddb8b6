"""The agency and province reports: facts from audits and history, then Markdown, HTML, DOCX
and XLSX writers. May import: findings, proposal, health (history), models, util, errors."""
