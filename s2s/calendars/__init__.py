"""School and LA calendars: terms, closures and bank holidays; "is this a school day?"."""
