"""Display formats (``FORMAT_MODULE_PATH``): one date form, 2016-10-20, in every language and page.

Only the *display* formats are set here. Input formats stay Django's per language; form widgets
render ISO values for the browser's date inputs themselves (``chanjiao.core.forms``).
"""
