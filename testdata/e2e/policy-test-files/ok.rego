package main

deny contains "never" if false
