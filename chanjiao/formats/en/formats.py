# Tables (django-tables2 DateColumn), detail rows and the ``date`` filter all read these: without them
# zh-hans shows "2016年10月20日" in tables next to "2016-10-20" in detail rows.
DATE_FORMAT = "Y-m-d"
SHORT_DATE_FORMAT = "Y-m-d"
DATETIME_FORMAT = "Y-m-d H:i"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
